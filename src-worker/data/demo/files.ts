import type { InstructionRecord } from '../../../src-shared/alpaca';
import { ByteTokenizer } from '../../tokenizers/byte';
import { shortCompletion } from '../short';
import { buildCorpus } from './corpus';
import { DEMO_CORPUS_SEED, demoProblemSets, longCompletion } from './problems';

/** The files of resources/demo/, by name. */
export const DEMO_FILE_NAMES = ['demo-long.jsonl', 'demo-short.jsonl', 'corpus.txt'] as const;
export type DemoFileName = (typeof DEMO_FILE_NAMES)[number];

/** The long-completion fine-tuning set: worked steps, so completions outweigh prompts. */
export function demoLongRecords(): InstructionRecord[] {
  return demoProblemSets().train.map((p) => ({
    instruction: p.instruction,
    input: p.input,
    output: longCompletion(p),
  }));
}

/** The short-completion variant: the transform of docs/METHOD.md "The short-completion transform", lengths compared in bytes. */
export function demoShortRecords(): InstructionRecord[] {
  const byte = new ByteTokenizer();
  return demoLongRecords().map((r) => shortCompletion(r, byte).record);
}

function jsonl(records: readonly InstructionRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The exact contents of every demo file; generation is deterministic, byte for byte. */
export function demoFiles(): Record<DemoFileName, string> {
  return {
    'demo-long.jsonl': jsonl(demoLongRecords()),
    'demo-short.jsonl': jsonl(demoShortRecords()),
    'corpus.txt': buildCorpus(demoProblemSets().corpus, DEMO_CORPUS_SEED),
  };
}
