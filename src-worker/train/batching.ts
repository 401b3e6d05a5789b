/**
 * The order in which examples are trained: seeded shuffling per epoch and length-bucketed
 * micro-batches, grouped into global (optimizer) batches for gradient accumulation.
 *
 * Bucketing: each window of `windowBatches` global batches (after shuffling) is sorted by
 * length and cut into micro-batches, so the examples padded together have nearly the same
 * length; the micro-batches of a window are then shuffled and grouped into global batches, so a
 * global batch still mixes lengths from the whole window (less bias than sorting the batch
 * itself). Everything random draws from the one Rng passed in, whose state the checkpoint saves.
 */
import type { Rng } from '../../src-shared/random';

/** A global batch: its micro-batches, each a list of example indices. */
export type GlobalBatch = number[][];

export interface BatchingOptions {
  /** Examples per optimizer step (the last batch of an epoch may hold fewer). */
  batchSize: number;
  /** Examples per forward/backward pass; must divide batchSize. */
  microBatchSize: number;
  /** Shuffle examples (and micro-batches) each epoch; false keeps the dataset order. */
  shuffle: boolean;
  /** Sort by length within windows of this many global batches; 0 turns bucketing off. */
  windowBatches: number;
}

/** Default window: 8 global batches sort well yet keep an epoch's batches varied. */
export const DEFAULT_WINDOW_BATCHES = 8;

/**
 * The global batches of one epoch. `lengths[i]` is example i's token count. Advances `rng`
 * (only when shuffling), so calling it with the same Rng state gives the same plan.
 * @throws RangeError when microBatchSize does not divide batchSize.
 */
export function planEpoch(
  lengths: readonly number[],
  rng: Rng,
  opts: BatchingOptions,
): GlobalBatch[] {
  const { batchSize, microBatchSize } = opts;
  if (!(batchSize >= 1 && microBatchSize >= 1 && batchSize % microBatchSize === 0)) {
    throw new RangeError(
      `micro-batch size ${microBatchSize} must divide the batch size ${batchSize}`,
    );
  }
  const order = lengths.map((_, i) => i);
  if (opts.shuffle) rng.shuffle(order);
  const perGlobal = batchSize / microBatchSize;
  const window = opts.windowBatches > 0 ? opts.windowBatches * batchSize : batchSize;
  const batches: GlobalBatch[] = [];
  for (let start = 0; start < order.length; start += window) {
    const chunk = order.slice(start, start + window);
    if (opts.windowBatches > 0) {
      // Stable sort, longest first: ties keep the shuffled order.
      chunk.sort((a, b) => (lengths[b] as number) - (lengths[a] as number));
    }
    const micros: number[][] = [];
    for (let i = 0; i < chunk.length; i += microBatchSize) {
      micros.push(chunk.slice(i, i + microBatchSize));
    }
    if (opts.shuffle && opts.windowBatches > 0) rng.shuffle(micros);
    for (let i = 0; i < micros.length; i += perGlobal) batches.push(micros.slice(i, i + perGlobal));
  }
  return batches;
}

/**
 * Fraction of the target positions computed that are padding: each micro-batch is padded to
 * its longest example, so a micro-batch of lengths L_j costs B·(max L − 1) positions of which
 * Σ(L_j − 1) are real.
 */
export function paddingFraction(
  batches: readonly GlobalBatch[],
  lengths: readonly number[],
): number {
  let computed = 0;
  let real = 0;
  for (const batch of batches) {
    for (const micro of batch) {
      let max = 0;
      for (const i of micro) {
        const targets = Math.max(0, (lengths[i] as number) - 1);
        real += targets;
        max = Math.max(max, targets);
      }
      computed += max * micro.length;
    }
  }
  return computed === 0 ? 0 : (computed - real) / computed;
}

/** Number of global batches per epoch for n examples. */
export function batchesPerEpoch(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}
