import type { InstructionRecord } from '../../src-shared/alpaca';
import type { Tokenizer } from '../tokenizers/types';
import { countTokens, recordCounts, type RecordCounts } from './token-counts';

/**
 * The short-completion transform of docs/METHOD.md "The short-completion transform": a record whose completion is longer
 * than its prompt becomes the task of predicting that prompt from the completion, so the
 * dataset's completion/prompt ratio drops below 1 while the text stays the same.
 */

export const SHORT_INSTRUCTION_NO_INPUT =
  'Predict the prompt that generated the following AI output.';
export const SHORT_INSTRUCTION_WITH_INPUT =
  'Predict the prompt that generated the below AI output given the following context. Context: ';

/**
 * True when the completion has more tokens than the prompt, counted as instruction tokens plus
 * input tokens, each field tokenized alone with no template.
 */
export function isLongCompletion(counts: RecordCounts): boolean {
  return counts.output > counts.instruction + counts.input;
}

/** The swapped record, whatever its lengths (the caller decides whether to swap). */
export function swapToPromptPrediction(record: InstructionRecord): InstructionRecord {
  return {
    instruction:
      record.input.length === 0
        ? SHORT_INSTRUCTION_NO_INPUT
        : SHORT_INSTRUCTION_WITH_INPUT + record.input,
    input: record.output,
    output: record.instruction,
  };
}

export interface ShortResult {
  record: InstructionRecord;
  /** Whether the record was replaced (its completion was longer than its prompt). */
  transformed: boolean;
  /** Token counts of the returned record's fields, so statistics need not re-encode them. */
  counts: RecordCounts;
}

/**
 * Applies the transform to one record.
 * @example shortCompletion({instruction: 'Hi', input: '', output: 'Hello there'}, byte)
 *   // → {instruction: 'Predict the prompt…', input: 'Hello there', output: 'Hi'}, transformed
 */
export function shortCompletion(
  record: InstructionRecord,
  tokenizer: Tokenizer,
  counts: RecordCounts = recordCounts(record, tokenizer),
): ShortResult {
  if (!isLongCompletion(counts)) return { record, transformed: false, counts };
  const swapped = swapToPromptPrediction(record);
  return {
    record: swapped,
    transformed: true,
    counts: {
      // The new instruction is new text; the other two fields are moved unchanged.
      instruction: countTokens(tokenizer, swapped.instruction),
      input: counts.output,
      output: counts.instruction,
    },
  };
}

/** Counts of a whole-dataset transform: how many records were read and how many replaced. */
export interface ShortTally {
  seen: number;
  changed: number;
}

/** The transform over a stream of records, counting into `tally` as it goes. */
export async function* shortRecords(
  records: AsyncIterable<InstructionRecord>,
  tokenizer: Tokenizer,
  tally: ShortTally,
): AsyncGenerator<InstructionRecord> {
  for await (const record of records) {
    const r = shortCompletion(record, tokenizer);
    tally.seen++;
    if (r.transformed) tally.changed++;
    yield r.record;
  }
}
