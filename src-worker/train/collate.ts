/**
 * Packs a micro-batch of encoded examples into the flat host arrays the loss needs: inputs,
 * shifted targets and per-target weights (docs/METHOD.md "Loss": 0 for padding, PLW in the prompt
 * region, 1 in the completion), right-padded to the longest example. Right padding is safe for
 * a causal model: real positions never attend to the padding after them.
 */
import type { EncodedExample } from './examples';

export interface MicroBatch {
  /** Rows (examples). */
  batch: number;
  /** Positions per row: the longest example's length − 1 (the causal shift). */
  length: number;
  /** [batch, length] input ids; padding is padId. */
  ids: Int32Array;
  /** [batch, length] next-token targets; padding targets are padId with weight 0. */
  targets: Int32Array;
  /** [batch, length] loss weights. */
  weights: Float32Array;
  /** [batch, length] 1 where the target is a prompt token. */
  promptMask: Float32Array;
  /** [batch, length] 1 where the target is a completion token (EOS included). */
  completionMask: Float32Array;
  /** Σ weights: the micro-batch's share of the global loss denominator. */
  weightSum: number;
  promptTargets: number;
  completionTargets: number;
  /** Non-padding input tokens (for tokens/s). */
  tokens: number;
}

export function collate(
  examples: readonly EncodedExample[],
  plw: number,
  padId: number,
): MicroBatch {
  const batch = examples.length;
  let length = 0;
  for (const ex of examples) length = Math.max(length, ex.ids.length - 1);
  length = Math.max(length, 1);
  const size = batch * length;
  const ids = new Int32Array(size).fill(padId);
  const targets = new Int32Array(size).fill(padId);
  const weights = new Float32Array(size);
  const promptMask = new Float32Array(size);
  const completionMask = new Float32Array(size);
  let weightSum = 0;
  let promptTargets = 0;
  let completionTargets = 0;
  let tokens = 0;
  examples.forEach((ex, b) => {
    const n = ex.ids.length - 1;
    tokens += n;
    for (let t = 0; t < n; t++) {
      const k = b * length + t;
      ids[k] = ex.ids[t] as number;
      targets[k] = ex.ids[t + 1] as number;
      if (t + 1 < ex.promptLen) {
        weights[k] = plw;
        promptMask[k] = 1;
        promptTargets++;
        weightSum += plw;
      } else {
        weights[k] = 1;
        completionMask[k] = 1;
        completionTargets++;
        weightSum += 1;
      }
    }
  });
  return {
    batch,
    length,
    ids,
    targets,
    weights,
    promptMask,
    completionMask,
    weightSum,
    promptTargets,
    completionTargets,
    tokens,
  };
}
