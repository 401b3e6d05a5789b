/**
 * Exports `softmaxLastAxis`: tf.softmax over the last axis whose backward pass is one fused
 * kernel (`PlwSoftmaxGrad`, src-worker/backend/wasm-kernels/softmax-grad.ts) where the active
 * backend registers it, and tfjs's own formula, y·dy − Σ(y·dy)·y, elsewhere.
 */
import * as tf from '@tensorflow/tfjs-core';

import { PLW_SOFTMAX_GRAD as SOFTMAX_GRAD } from '../backend/wasm-kernels/softmax-grad';

export function softmaxLastAxis<T extends tf.Tensor>(x: T, mask?: tf.Tensor): T {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[1] as tf.GradSaveFunc;
    // An additive mask (a constant) is added inside: its sum is then not saved for backward,
    // only y is (the scores would otherwise stay alive until the backward pass).
    const x0 = args[0] as tf.Tensor;
    const y = tf.softmax(mask === undefined ? x0 : tf.add(x0, mask), -1);
    // Saved, not captured: tensors saved for backward outlive the caller's tf.tidy.
    save([y]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const ys = saved[0] as tf.Tensor;
      if (tf.getKernel(SOFTMAX_GRAD, tf.getBackend()) !== undefined) {
        return tf.engine().runKernel(SOFTMAX_GRAD, { y: ys, dy }) as tf.Tensor;
      }
      const dyTimesY = tf.mul(dy, ys);
      return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, -1, true), ys));
    };
    return { value: y, gradFunc };
  });
  return f(x) as T;
}
