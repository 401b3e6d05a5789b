import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasmBackend, heapOffset, heapView } from './internals';
import { simdKernels } from './simd';

/**
 * `PlwAdamW`: one fused AdamW update (src-worker/train/adamw.ts) of a parameter, on wasm only:
 * inputs p, g, m, v (float32, same shape) → [p', m', v'], new tensors (inputs untouched: our
 * Identity shares buffers, so nothing may be written in place). One pass through the SIMD
 * module instead of ~12 elementwise kernels over the parameter; the same float32 operations
 * in the same order as the op-by-op path. The trainer uses the op-by-op path where this
 * kernel is not registered (other backends) or where the SIMD module is unavailable.
 */
export const PLW_ADAMW = 'PlwAdamW';

export interface PlwAdamWAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  /** Multiplies p before the update: 1 − lr·weightDecay, or 1 without decay. */
  decay: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** √(1 − β2^t). */
  bc2Sqrt: number;
}

const f = Math.fround;

const plwAdamW: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = asWasmBackend(backend);
  const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', TensorInfo>;
  const a = attrs as unknown as PlwAdamWAttrs;
  for (const t of [p, g, m, v]) {
    if (t.dtype !== 'float32' || t.shape.join() !== p.shape.join()) {
      throw new Error('PlwAdamW: p, g, m and v must be float32 tensors of one shape');
    }
  }
  const simd = simdKernels(b);
  if (simd === null) throw new Error('PlwAdamW: the SIMD module is unavailable');
  const outs = [p, m, v].map((t) => b.makeOutput(t.shape, 'float32'));
  const [pOut, mOut, vOut] = outs as [TensorInfo, TensorInfo, TensorInfo];
  const size = p.shape.reduce((s, d) => s * d, 1);
  const n4 = size & ~3;
  const [beta1, omb1, beta2, omb2, decay, step, bc2, eps] = [
    a.beta1,
    1 - a.beta1,
    a.beta2,
    1 - a.beta2,
    a.decay,
    a.stepSize,
    a.bc2Sqrt,
    a.eps,
  ].map(f) as [number, number, number, number, number, number, number, number];
  if (n4 > 0) {
    simd.adamw(
      heapOffset(b, p),
      heapOffset(b, g),
      heapOffset(b, m),
      heapOffset(b, v),
      heapOffset(b, pOut),
      heapOffset(b, mOut),
      heapOffset(b, vOut),
      n4,
      beta1,
      omb1,
      beta2,
      omb2,
      decay,
      step,
      bc2,
      eps,
    );
  }
  if (n4 < size) {
    const [pv, gv, mv, vv, po, mo, vo] = [p, g, m, v, pOut, mOut, vOut].map(
      (t) => heapView(b, t) as Float32Array,
    ) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    for (let i = n4; i < size; i++) {
      const gi = gv[i] ?? 0;
      const mi = f(f((mv[i] ?? 0) * beta1) + f(gi * omb1));
      const vi = f(f((vv[i] ?? 0) * beta2) + f(f(gi * gi) * omb2));
      const denom = f(f(f(Math.sqrt(vi)) / bc2) + eps);
      mo[i] = mi;
      vo[i] = vi;
      po[i] = f(f((pv[i] ?? 0) * decay) - f(f(mi / denom) * step));
    }
  }
  return outs;
};

export const plwAdamWConfig: KernelConfig = {
  kernelName: PLW_ADAMW,
  backendName: 'wasm',
  kernelFunc: plwAdamW,
};

/** Whether the active backend runs `PlwAdamW` (wasm with the overrides and the SIMD module). */
export function fusedAdamWAvailable(): boolean {
  const name = tf.getBackend();
  if (name !== 'wasm' || tf.getKernel(PLW_ADAMW, name) === undefined) return false;
  try {
    return simdKernels(asWasmBackend(tf.backend())) !== null;
  } catch {
    return false;
  }
}
