/**
 * The synthetic batch the training benchmarks time (bench/train-throughput.ts,
 * bench/webgpu-gpu.ts, bench/train-capacity.ts), shaped like bench/reference/torch_train_bench.py's.
 */
import { Rng } from '../src-shared/random';
import type { ModelConfig } from '../src-worker/model/types';
import type { MicroBatch } from '../src-worker/train/collate';

/**
 * One micro-batch shaped like the PyTorch reference's: random ids, targets shifted by one,
 * the first half of each row prompt (weight PLW), the rest completion (weight 1), no padding.
 */
export function syntheticBatch(
  config: ModelConfig,
  batch: number,
  seq: number,
  plw: number,
  /** Different seeds give different micro-batches of one global batch (train-capacity.ts). */
  seed = 1,
): MicroBatch {
  const rng = new Rng(seed);
  const size = batch * seq;
  const ids = new Int32Array(size);
  for (let i = 0; i < size; i++) ids[i] = 3 + rng.int(config.vocabSize - 3);
  const targets = new Int32Array(size);
  const weights = new Float32Array(size);
  const promptMask = new Float32Array(size);
  const completionMask = new Float32Array(size);
  let weightSum = 0;
  for (let r = 0; r < batch; r++) {
    for (let t = 0; t < seq; t++) {
      const i = r * seq + t;
      targets[i] = ids[r * seq + ((t + 1) % seq)] ?? 0;
      const prompt = t < seq / 2;
      weights[i] = prompt ? plw : 1;
      promptMask[i] = prompt ? 1 : 0;
      completionMask[i] = prompt ? 0 : 1;
      weightSum += weights[i] ?? 0;
    }
  }
  return {
    batch,
    length: seq,
    ids,
    targets,
    weights,
    promptMask,
    completionMask,
    weightSum,
    promptTargets: (batch * seq) / 2,
    completionTargets: (batch * seq) / 2,
    tokens: size,
  };
}
