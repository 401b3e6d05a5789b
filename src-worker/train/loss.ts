/**
 * The PLW-weighted loss of docs/METHOD.md "Loss", for the trainer and `plw loss`. Exports:
 * - `tokenCrossEntropy`: per-target CE with a hand-written gradient (tf.customGrad);
 * - `weightedCrossEntropy`: Σw·CE / Σw from the per-row CE, with pairwise sums;
 * - `plwLoss`: a `TrainLoss` (trainer.ts): that loss plus the per-target CE;
 * - `hostLossSums` / `batchLossSums` / `lossFromSums`: the reported figures, summed in float64
 *   on the host from the per-target CE (compensated sums), over micro-batches or a dataset.
 *
 * Targets enter as one-hot rows built outside the differentiated code: gather's gradient
 * (UnsortedSegmentSum) is missing on the WASM backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { oneHotFloat } from '../model/one-hot';
import type { CausalLM, ChunkedLoss } from '../model/types';
import type { MicroBatch } from './collate';

/** Device tensors of a micro-batch (same fields as trainer.ts's LossInputs). */
export interface LossTargets {
  /** [B, T] int32 next-token ids. */
  targets: tf.Tensor2D;
  /** [B, T] float32: 0 padding, PLW prompt, 1 completion. */
  weights: tf.Tensor2D;
  /** [B, T] float32: 1 on prompt targets. */
  promptMask: tf.Tensor2D;
  /** [B, T] float32: 1 on completion targets (EOS included). */
  completionMask: tf.Tensor2D;
}

/** Keeps an all-zero-weight micro-batch (e.g. PLW 0, prompt-only) at loss 0 instead of 0/0. */
const MIN_WEIGHT_SUM = 1e-12;

/**
 * CE of each row: logsumexp(logits) − logits[target]. logits [N, V], oneHot [N, V] → [N].
 * Gradient w.r.t. logits: dy[:, None] · (softmax − oneHot), from the softmax saved in the
 * forward pass. The forward pass runs one Softmax kernel (vectorized exp in XNNPACK on wasm;
 * the elementwise wasm Exp is scalar and ~10x slower) and reads logsumexp off it: at a row's
 * maximum x_max the softmax is exp(0)/Σ = 1/Σ exactly up to one rounding, so
 * logsumexp(x) = x_max − log(max softmax), with max softmax ≥ 1/V (no underflow), and
 * CE = (x_max − x[target]) − log(max softmax).
 */
export function tokenCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  const ce = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const probs = tf.softmax(x); // [N, V]
    const xMax = tf.max(x, -1); // [N]
    const logPMax = tf.log(tf.max(probs, -1)); // [N] = −log Σ exp(x − x_max)
    const picked = tf.sum(tf.mul(x, oneHot), -1); // [N] x[target]
    // Saved, not captured: tensors saved for backward outlive the caller's tf.tidy.
    save([probs, oneHot]);
    const value = tf.sub(tf.sub(xMax, picked), logPMax); // [N]
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [p, hot] = saved as [tf.Tensor2D, tf.Tensor2D];
      return tf.mul(tf.sub(p, hot), tf.reshape(dy, [-1, 1])); // [N, V]
    };
    return { value, gradFunc };
  });
  return ce(logits) as tf.Tensor1D;
}

/**
 * Σx pairwise (a tree of halvings: rounding error O(log N·ε) instead of O(N·ε) for a running
 * sum), differentiable. x [N] → scalar.
 */
export function pairwiseSum(x: tf.Tensor1D): tf.Scalar {
  let v: tf.Tensor1D = x;
  let n = x.shape[0];
  if (n === 0) return tf.scalar(0);
  while (n > 1) {
    const half = Math.floor(n / 2);
    const pairs = tf.add(tf.slice(v, 0, half), tf.slice(v, half, half)) as tf.Tensor1D;
    v = n % 2 === 0 ? pairs : tf.concat([pairs, tf.slice(v, 2 * half, 1)]);
    n = Math.ceil(n / 2);
  }
  return tf.reshape(v, []) as tf.Scalar;
}

/**
 * Weighted CE Σw·CE / Σw from the per-row CE (tokenCrossEntropy), both sums pairwise: no dense
 * [N, V] product beyond the CE's own, and the value holds to float32 rounding of the result.
 * logits [N, V], oneHot [N, V], weights [N] → scalar. Gradient: w·(softmax − oneHot) / Σw.
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const ce = tokenCrossEntropy(logits, oneHot); // [N]
  const denom = tf.maximum(pairwiseSum(weights), MIN_WEIGHT_SUM); // []
  return tf.div(pairwiseSum(tf.mul(ce, weights) as tf.Tensor1D), denom) as tf.Scalar;
}

/**
 * The loss of docs/METHOD.md "Loss" for one micro-batch: `loss` = Σw·CE / Σw (differentiate this), and `ce`, the
 * CE of every target [B·T] (row-major), from which the host computes the reported figures in
 * float64 (hostLossSums). logits [B, T, V]. Assignable to trainer.ts's `TrainLoss`.
 */
export function plwLoss(
  logits: tf.Tensor3D,
  inputs: LossTargets,
): { loss: tf.Scalar; ce: tf.Tensor1D } {
  const [b, t, v] = logits.shape;
  const oneHot = oneHotFloat(tf.reshape(inputs.targets, [b * t]) as tf.Tensor1D, v); // [B·T, V]
  const ce = tokenCrossEntropy(tf.reshape(logits, [b * t, v]) as tf.Tensor2D, oneHot); // [B·T]
  const w = tf.reshape(inputs.weights, [b * t]); // [B·T]
  // Plain sums: this value is only differentiated (its gradient w/Σw does not depend on the
  // sum's rounding); the figures reported come from `ce` on the host.
  const loss = tf.div(tf.sum(tf.mul(ce, w)), tf.maximum(tf.sum(w), MIN_WEIGHT_SUM)); // []
  return { loss: loss as tf.Scalar, ce };
}

/** Logits elements per loss chunk (32 MB of float32): 262 positions at a 32k vocabulary. */
const CHUNK_ELEMENTS = 8 * 1024 * 1024;

/**
 * The PLW loss of one micro-batch over chunks of positions, for LlamaModel's checkpointed
 * gradients: a chunk contributes `scale`·Σw·CE over its positions; with `scale` = 1 / Σw of the
 * global batch the chunks of all its micro-batches add up to the global batch's loss (the
 * trainer's accumulation rule). `ce` keeps every chunk's per-target CE for the host sums (the
 * caller disposes them).
 */
export function chunkedPlwLoss(
  mb: MicroBatch,
  vocab: number,
  scale: number,
  chunkRows = Math.max(1, Math.floor(CHUNK_ELEMENTS / vocab)),
): ChunkedLoss & { ce: tf.Tensor[] } {
  const ce: tf.Tensor[] = [];
  return {
    chunkRows,
    ce,
    chunk(logits: tf.Tensor2D, start: number, count: number): tf.Scalar {
      const targets = tf.tensor1d(mb.targets.subarray(start, start + count), 'int32'); // [n]
      const rowCe = tokenCrossEntropy(logits, oneHotFloat(targets, vocab)); // [n]
      ce.push(tf.keep(rowCe));
      const w = tf.tensor1d(mb.weights.subarray(start, start + count)); // [n]
      return tf.mul(tf.sum(tf.mul(rowCe, w)), scale) as tf.Scalar; // []
    },
  };
}

/** Device tensors of a collated micro-batch; dispose them (or create inside tf.tidy). */
export function lossTargetsOf(mb: MicroBatch): LossTargets & { ids: tf.Tensor2D } {
  const shape: [number, number] = [mb.batch, mb.length];
  return {
    ids: tf.tensor2d(mb.ids, shape, 'int32'),
    targets: tf.tensor2d(mb.targets, shape, 'int32'),
    weights: tf.tensor2d(mb.weights, shape),
    promptMask: tf.tensor2d(mb.promptMask, shape),
    completionMask: tf.tensor2d(mb.completionMask, shape),
  };
}

/** Host sums of one or more micro-batches; add them up, then `lossFromSums`. */
export interface LossSums {
  /** Σ w·CE */
  weighted: number;
  /** Σ w */
  weight: number;
  prompt: number;
  completion: number;
  promptTargets: number;
  completionTargets: number;
}

export const ZERO_SUMS: LossSums = {
  weighted: 0,
  weight: 0,
  prompt: 0,
  completion: 0,
  promptTargets: 0,
  completionTargets: 0,
};

/** Forward-only sums of one micro-batch (no gradient, tensors freed). */
export async function batchLossSums(model: CausalLM, mb: MicroBatch): Promise<LossSums> {
  const ce = tf.tidy(() => {
    const inputs = lossTargetsOf(mb);
    return plwLoss(model.logits(inputs.ids), inputs).ce;
  });
  const values = (await ce.data()) as Float32Array;
  ce.dispose();
  return hostLossSums(values, mb);
}

/**
 * Σ a[i]·b[i] in float64 with Neumaier's compensation (the error stays at a few units of
 * float64 rounding whatever the length), skipping b = 0 (padding, the other region).
 */
export function accurateDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  let carry = 0;
  for (let i = 0; i < a.length; i++) {
    const w = b[i] as number;
    if (w === 0) continue;
    const x = (a[i] as number) * w;
    const t = sum + x;
    carry += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + carry;
}

/**
 * A micro-batch's loss sums from the CE of its targets (`plwLoss(...).ce`), in float64: the
 * reported loss is then Σw·CE / Σw of the float32 CEs to float64 accuracy, and exactly the
 * weighted mean of the reported prompt and completion losses (weights PLW·prompt targets and
 * completion targets), since both come from the same sums.
 */
export function hostLossSums(ce: Float32Array, mb: MicroBatch): LossSums {
  const ones = new Float32Array(ce.length).fill(1);
  return {
    weighted: accurateDot(ce, mb.weights),
    weight: accurateDot(mb.weights, ones),
    prompt: accurateDot(ce, mb.promptMask),
    completion: accurateDot(ce, mb.completionMask),
    promptTargets: mb.promptTargets,
    completionTargets: mb.completionTargets,
  };
}

export function addSums(a: LossSums, b: LossSums): LossSums {
  return {
    weighted: a.weighted + b.weighted,
    weight: a.weight + b.weight,
    prompt: a.prompt + b.prompt,
    completion: a.completion + b.completion,
    promptTargets: a.promptTargets + b.promptTargets,
    completionTargets: a.completionTargets + b.completionTargets,
  };
}

/**
 * The figures `plw loss` reports: loss = Σw·CE / Σw over every target of the summed batches
 * (0 when Σw = 0); prompt and completion losses are plain means (null without such targets).
 */
export function lossFromSums(s: LossSums): {
  loss: number;
  promptLoss: number | null;
  completionLoss: number | null;
  promptTargets: number;
  completionTargets: number;
} {
  return {
    loss: s.weight > 0 ? s.weighted / s.weight : 0,
    promptLoss: s.promptTargets > 0 ? s.prompt / s.promptTargets : null,
    completionLoss: s.completionTargets > 0 ? s.completion / s.completionTargets : null,
    promptTargets: s.promptTargets,
    completionTargets: s.completionTargets,
  };
}
