/**
 * Padding share of the trainer's length-bucketed micro-batches on a real dataset (default
 * GSM8K train with the LLaMA SentencePiece tokenizer, both from ../shared/data), against plain
 * shuffled batches. Prints figures; decides nothing.
 *   npx tsx bench/train-padding.ts [DATASET] [TOKENIZER]
 */
import { resolve } from 'node:path';
import { Rng } from '../src-shared/random';
import { readDataset } from '../src-worker/data/reader';
import { loadTokenizer } from '../src-worker/tokenizers/index';
import { DEFAULT_WINDOW_BATCHES, paddingFraction, planEpoch } from '../src-worker/train/batching';
import { encodeExample } from '../src-worker/train/examples';

const shared = resolve(import.meta.dirname, '../../shared/data');
const dataFile = process.argv[2] ?? resolve(shared, 'instructions/gsm_8k_train.json');
const tokenizerSpec = process.argv[3] ?? resolve(shared, 'tokenizer.model');
const maxLen = 512;
const batchSize = 128;

const tokenizer = await loadTokenizer(tokenizerSpec);
const { records } = await readDataset(dataFile);
const t0 = performance.now();
const lengths = records.map((r) => encodeExample(r, tokenizer, maxLen).ids.length);
const seconds = (performance.now() - t0) / 1000;
const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
console.log(
  `${dataFile}: ${records.length} records, ${tokenizer.kind} tokenizer, max-len ${maxLen}`,
);
console.log(
  `tokens per example: mean ${mean.toFixed(1)}, min ${Math.min(...lengths)}, max ${Math.max(...lengths)} (encoded in ${seconds.toFixed(1)} s)`,
);
console.log('batch 128, padding share of computed target positions over 3 epochs (seed 42):');
for (const micro of [4, 8, 16, 32, 128]) {
  for (const windowBatches of [0, DEFAULT_WINDOW_BATCHES]) {
    const rng = new Rng(42);
    const plans = [0, 1, 2].flatMap(() =>
      planEpoch(lengths, rng, { batchSize, microBatchSize: micro, shuffle: true, windowBatches }),
    );
    const label =
      windowBatches === 0 ? 'shuffled, no bucketing' : `bucketed (window ${windowBatches} batches)`;
    console.log(
      `  micro-batch ${String(micro).padStart(2)}  ${label.padEnd(32)} ${(100 * paddingFraction(plans, lengths)).toFixed(2)}%`,
    );
  }
}
