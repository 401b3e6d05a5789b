import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, heapOffset, heapView } from './internals';
import { simdKernels } from './simd';

/**
 * `PlwSoftmaxGrad` (wasm only): the backward pass of a softmax over the last axis, inputs y
 * (the softmax output) and dy → dx = y·(dy − Σ_last y·dy), in two passes over each row. tfjs's
 * own Softmax gradient runs it as four kernels (mul, sum, mul, sub) over the whole tensor; on
 * attention probabilities [B, H, T, T] that was ~35 ms of a config-b step. Rows whose length is
 * a multiple of 4 go through the SIMD module, others (or no SIMD module) through a JS loop.
 * Used by src-worker/model/softmax.ts where the active backend registers it.
 */
export const PLW_SOFTMAX_GRAD = 'PlwSoftmaxGrad';

const softmaxGrad: KernelFunc = ({ inputs, backend }) => {
  const b = asWasmBackend(backend);
  const { y, dy } = inputs as Record<'y' | 'dy', TensorInfo>;
  if (
    y.dtype !== 'float32' ||
    dy.dtype !== 'float32' ||
    y.shape.length === 0 ||
    y.shape.join() !== dy.shape.join()
  ) {
    throw new Error('PlwSoftmaxGrad: y and dy must be float32 tensors of one shape (rank ≥ 1)');
  }
  const out = b.makeOutput(y.shape, 'float32');
  const cols = y.shape[y.shape.length - 1] ?? 0;
  const size = y.shape.reduce((s, d) => s * d, 1);
  if (size === 0) return out;
  const rows = size / cols;
  const simd = simdKernels(b);
  if (simd !== null && cols % 4 === 0) {
    simd.softmaxGrad(heapOffset(b, y), heapOffset(b, dy), heapOffset(b, out), rows, cols);
    return out;
  }
  const yv = heapView(b, y) as Float32Array;
  const dyv = heapView(b, dy) as Float32Array;
  const dx = heapView(b, out) as Float32Array;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += (yv[base + c] as number) * (dyv[base + c] as number);
    dot = Math.fround(dot);
    for (let c = 0; c < cols; c++) {
      dx[base + c] = (yv[base + c] as number) * ((dyv[base + c] as number) - dot);
    }
  }
  return out;
};

export const softmaxGradConfig: KernelConfig = {
  kernelName: PLW_SOFTMAX_GRAD,
  backendName: 'wasm',
  kernelFunc: softmaxGrad,
};
