/**
 * The PLW-weighted loss of METHOD.md "Loss", for the trainer and `plw loss`. Exports:
 * - `tokenCrossEntropy`: per-target CE with a hand-written gradient (tf.customGrad);
 * - `weightedCrossEntropy`: the fused Σw·CE / Σw with its exact gradient
 *   (softmax·w_row − onehot·w) / Σw, as PERF-NOTES.md measured faster than autodiff;
 * - `plwLoss`: a `TrainLoss` (trainer.ts): the weighted loss plus the summed prompt and
 *   completion CE, sharing one softmax;
 * - `batchLossSums` / `lossFromSums`: host figures of micro-batches, summed over a dataset.
 *
 * Targets enter as one-hot rows built outside the differentiated code: gather's gradient
 * (UnsortedSegmentSum) is missing on the WASM backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { oneHotFloat } from '../model/one-hot';
import type { CausalLM } from '../model/types';
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
 * Fused weighted CE: −Σ logSoftmax·(oneHot·w) / Σw. logits [N, V], oneHot [N, V], weights
 * [N] → scalar. Gradient: (softmax·w_row − oneHot·w) / Σw, times the upstream scalar.
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const wCol = tf.reshape(weights, [-1, 1]); // [N, 1]
  const denom = tf.maximum(tf.sum(weights), MIN_WEIGHT_SUM); // []
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const lse = tf.logSumExp(x, -1, true); // [N, 1]
    save([x, lse, oneHot, wCol, denom]);
    const logProbs = tf.sub(x, lse); // [N, V]
    const value = tf.div(tf.neg(tf.sum(tf.mul(logProbs, tf.mul(oneHot, wCol)))), denom); // []
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [xs, l, hot, w, d] = saved as [
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor,
        tf.Tensor,
      ];
      const probs = tf.exp(tf.sub(xs, l)); // [N, V]
      const g = tf.div(tf.sub(tf.mul(probs, w), tf.mul(hot, w)), d); // [N, V]
      return tf.mul(g, dy);
    };
    return { value, gradFunc };
  });
  return f(logits) as tf.Scalar;
}

/**
 * METHOD.md's loss of one micro-batch: `loss` = Σw·CE / Σw, plus the summed CE over prompt
 * and over completion targets (for the separately reported means). logits [B, T, V].
 * Assignable to trainer.ts's `TrainLoss`; differentiate `loss` only.
 */
export function plwLoss(
  logits: tf.Tensor3D,
  inputs: LossTargets,
): { loss: tf.Scalar; promptSum: tf.Scalar; completionSum: tf.Scalar } {
  const [b, t, v] = logits.shape;
  const oneHot = oneHotFloat(tf.reshape(inputs.targets, [b * t]) as tf.Tensor1D, v); // [B·T, V]
  const ce = tokenCrossEntropy(tf.reshape(logits, [b * t, v]) as tf.Tensor2D, oneHot); // [B·T]
  const w = tf.reshape(inputs.weights, [b * t]); // [B·T]
  const loss = tf.div(tf.sum(tf.mul(ce, w)), tf.maximum(tf.sum(w), MIN_WEIGHT_SUM)); // []
  const promptSum = tf.sum(tf.mul(ce, tf.reshape(inputs.promptMask, [b * t]))); // []
  const completionSum = tf.sum(tf.mul(ce, tf.reshape(inputs.completionMask, [b * t]))); // []
  return {
    loss: loss as tf.Scalar,
    promptSum: promptSum as tf.Scalar,
    completionSum: completionSum as tf.Scalar,
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
  const out = tf.tidy(() => {
    const inputs = lossTargetsOf(mb);
    const r = plwLoss(model.logits(inputs.ids), inputs);
    // Σw·CE = loss · max(Σw, tiny); the host recomputes Σw exactly from the batch.
    return tf.stack([r.loss, r.promptSum, r.completionSum]);
  });
  const [loss, prompt, completion] = Array.from(await out.data());
  out.dispose();
  return {
    weighted: (loss as number) * mb.weightSum,
    weight: mb.weightSum,
    prompt: prompt as number,
    completion: completion as number,
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
