import type { InstructionRecord } from '../../src-shared/alpaca';
import type { Tokenizer } from '../tokenizers/types';

/** Token counts of a record's fields, each taken alone: no template, no BOS/EOS. */
export interface RecordCounts {
  instruction: number;
  input: number;
  output: number;
}

/** Tokens of `text` alone; an empty string counts 0 whatever the tokenizer (docs/METHOD.md "The token-counting rule"). */
export function countTokens(tokenizer: Tokenizer, text: string): number {
  return text.length === 0 ? 0 : tokenizer.encode(text).length;
}

export function recordCounts(record: InstructionRecord, tokenizer: Tokenizer): RecordCounts {
  return {
    instruction: countTokens(tokenizer, record.instruction),
    input: countTokens(tokenizer, record.input),
    output: countTokens(tokenizer, record.output),
  };
}
