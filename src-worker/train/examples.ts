/**
 * Turns instruction records into training sequences exactly as docs/METHOD.md "Data" says (and as
 * Stanford Alpaca's train.py does): BOS + filled template, then the output and EOS, tokenized
 * as ONE sequence; the prompt region is the length of BOS + the template tokenized alone.
 */
import { promptText, type InstructionRecord } from '../../src-shared/alpaca';
import type { Tokenizer } from '../tokenizers/types';

/** One tokenized training example. */
export interface EncodedExample {
  /** BOS + encode(prompt + output) + EOS, truncated to maxLen. */
  ids: number[];
  /**
   * Number of leading positions of `ids` that belong to the prompt (BOS + template), capped at
   * ids.length. A target at sequence position p is a prompt target when p < promptLen.
   */
  promptLen: number;
}

/**
 * Encodes one record. The completion text follows "### Response:" directly (no separator),
 * and prompt + output are tokenized together, so SentencePiece adds its dummy-prefix space once
 * at the start and tokens may merge across the boundary exactly as in the reference recipe.
 * @throws RangeError when maxLen < 2 (no target would be left).
 */
export function encodeExample(
  record: InstructionRecord,
  tokenizer: Tokenizer,
  maxLen: number,
): EncodedExample {
  if (!Number.isInteger(maxLen) || maxLen < 2) {
    throw new RangeError(`max length must be an integer >= 2, got ${maxLen}`);
  }
  const prompt = promptText(record);
  const promptIds = [tokenizer.bosId, ...tokenizer.encode(prompt)];
  const full = [tokenizer.bosId, ...tokenizer.encode(prompt + record.output), tokenizer.eosId];
  const ids = full.length > maxLen ? full.slice(0, maxLen) : full;
  return { ids, promptLen: Math.min(promptIds.length, ids.length) };
}

/**
 * Loss weight of each TARGET of an example after the causal shift (length ids.length - 1):
 * PLW inside the prompt region, 1 in the completion (EOS included). Padding (weight 0) is
 * added by the batcher.
 */
export function targetWeights(example: EncodedExample, plw: number): Float32Array {
  const n = Math.max(0, example.ids.length - 1);
  const w = new Float32Array(n);
  for (let t = 0; t < n; t++) w[t] = t + 1 < example.promptLen ? plw : 1;
  return w;
}

/** Number of prompt and completion targets of an example (after the shift and truncation). */
export function targetCounts(example: EncodedExample): { prompt: number; completion: number } {
  const n = Math.max(0, example.ids.length - 1);
  const prompt = Math.min(n, Math.max(0, example.promptLen - 1));
  return { prompt, completion: n - prompt };
}
