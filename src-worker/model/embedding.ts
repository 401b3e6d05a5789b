/**
 * Exports `embedRows`: a row lookup (gather) whose gradient does not need the
 * `UnsortedSegmentSum` kernel, which the WASM backend lacks (docs/PERF-NOTES.md "Facts that shaped the code"): when the active
 * backend has no such kernel the backward pass is a one-hot matmul instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { oneHotFloat } from './one-hot';

/** table [V, D], ids [N] int32 → [N, D]; differentiable w.r.t. table only. */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const vocab = table.shape[0];
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    const value = tf.gather(args[0] as tf.Tensor, ids); // [N, D]
    // Saved, not captured: tensors saved for backward outlive the caller's tf.tidy.
    save([ids]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const savedIds = saved[0] as tf.Tensor1D;
      if (tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined) {
        return tf.unsortedSegmentSum(dy, savedIds, vocab); // [V, D]
      }
      const oneHot = oneHotFloat(savedIds, vocab); // [N, V]
      return tf.matMul(oneHot, dy as tf.Tensor2D, true, false); // [V, D]
    };
    return { value, gradFunc };
  });
  return lookup(table) as tf.Tensor2D;
}
