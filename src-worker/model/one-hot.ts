/**
 * Exports `oneHotFloat`: float32 one-hot rows that are correct on every backend. tfjs-wasm
 * 4.22's OneHot ignores a float32 `dtype` argument and writes int32 bits into the float
 * buffer (denormal garbage), so the rows are built as int32 and cast.
 */
import * as tf from '@tensorflow/tfjs-core';

/** ids [N] int32 → [N, depth] float32 with a 1 at each id. */
export function oneHotFloat(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D); // [N, depth]
}
