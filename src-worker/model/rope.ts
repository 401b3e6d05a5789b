/**
 * Exports the rotary position embedding pieces in Hugging Face's rotate-half convention:
 * `ropeTables` (cos/sin for a range of positions, optionally pre-scaled) and
 * `rotateHalfMatrix` (rotate_half as a constant signed permutation, applied with one matmul,
 * which docs/PERF-NOTES.md "Kernel fixes" (fix 5) measured faster on WASM than Reverse or slice+concat).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * cos and sin of `pos · invFreq` for positions start … start+length−1, each [length, headDim],
 * frequencies repeated over both halves as HF's `cat((freqs, freqs), -1)`. `scale` multiplies
 * both tables: folding 1/sqrt(headDim) into the query's tables saves a pass over the scores.
 * Computed in float32 steps, as transformers does, so positions agree to rounding.
 */
export function ropeTables(
  start: number,
  length: number,
  headDim: number,
  theta: number,
  scale = 1,
): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  const cos = new Float32Array(length * headDim);
  const sin = new Float32Array(length * headDim);
  const angle = new Float32Array(1);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      angle[0] = (start + t) * (invFreq[i] as number); // rounded to float32 as in torch
      const c = Math.cos(angle[0] as number) * scale;
      const s = Math.sin(angle[0] as number) * scale;
      cos[t * headDim + i] = c;
      cos[t * headDim + i + half] = c;
      sin[t * headDim + i] = s;
      sin[t * headDim + i + half] = s;
    }
  }
  return {
    cos: tf.tensor2d(cos, [length, headDim]), // [T, hd]
    sin: tf.tensor2d(sin, [length, headDim]), // [T, hd]
  };
}

/**
 * R with x·R = rotate_half(x) = cat(−x[half:], x[:half]): R[j+half, j] = −1 and
 * R[j, j+half] = +1 for j < half. [headDim, headDim].
 */
export function rotateHalfMatrix(headDim: number): tf.Tensor2D {
  const half = headDim / 2;
  const r = new Float32Array(headDim * headDim);
  for (let j = 0; j < half; j++) {
    r[(j + half) * headDim + j] = -1;
    r[j * headDim + j + half] = 1;
  }
  return tf.tensor2d(r, [headDim, headDim]);
}
