/**
 * The Datasets view's work, done in a worker process (src-shared/protocol.ts `DataJob`):
 * statistics, a page of records for the preview, and the short-completion copy. Every problem
 * in the file is an InputError naming file, record and field, which reaches the view as is.
 */
import { stat } from 'node:fs/promises';
import { promptText } from '../../src-shared/alpaca';
import { InputError } from '../../src-shared/errors';
import type { DataJob } from '../../src-shared/protocol';
import { sha256OfPath } from '../files';
import { loadTokenizer } from '../tokenizers/index';
import { openDataset } from './reader';
import { shortRecords } from './short';
import { datasetStats, type DatasetStats } from './stats';
import { writeDataset } from './writer';

/** One record as the preview shows it: the fields and the prompt the model is trained on. */
export interface PreviewRecord {
  index: number;
  instruction: string;
  input: string;
  output: string;
  /** The Alpaca template applied to instruction and input: the region PLW weighs. */
  prompt: string;
}

export interface PreviewPage {
  offset: number;
  records: PreviewRecord[];
  /** Whether records follow this page. */
  more: boolean;
}

export interface MakeShortResult {
  out: string;
  records: number;
  transformed: number;
  format: 'json' | 'jsonl';
}

export type DataJobResult = DatasetStats | PreviewPage | MakeShortResult | { sha256: string };

async function preview(path: string, offset: number, limit: number): Promise<PreviewPage> {
  const { records } = await openDataset(path);
  const page: PreviewRecord[] = [];
  let index = 0;
  let more = false;
  // Records before the page are still read (and so validated): a page never hides an error
  // that sits above it in the file.
  for await (const r of records) {
    if (index >= offset + limit) {
      more = true;
      break;
    }
    if (index >= offset) {
      page.push({
        index,
        instruction: r.instruction,
        input: r.input,
        output: r.output,
        prompt: promptText(r),
      });
    }
    index++;
  }
  return { offset, records: page, more };
}

async function makeShort(
  path: string,
  out: string,
  tokenizerSpec: string,
): Promise<MakeShortResult> {
  const exists = await stat(out).then(
    () => true,
    () => false,
  );
  if (exists) throw new InputError({ file: out }, 'already exists; choose another name');
  const tokenizer = await loadTokenizer(tokenizerSpec);
  const { format, records } = await openDataset(path);
  const tally = { seen: 0, changed: 0 };
  await writeDataset(out, format, shortRecords(records, tokenizer, tally));
  return { out, records: tally.seen, transformed: tally.changed, format };
}

/** Runs one job; throws (InputError, PlwError) for the caller to report. */
export async function runDataJob(job: DataJob): Promise<DataJobResult> {
  switch (job.kind) {
    case 'stats': {
      const tokenizer = await loadTokenizer(job.tokenizer);
      const { records } = await openDataset(job.path);
      return datasetStats(records, tokenizer, { short: job.short });
    }
    case 'preview':
      return preview(job.path, job.offset, job.limit);
    case 'make-short':
      return makeShort(job.path, job.out, job.tokenizer);
    case 'sha256':
      return { sha256: sha256OfPath(job.path) };
  }
}
