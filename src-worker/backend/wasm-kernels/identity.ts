import {
  Cast,
  Identity,
  type CastAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asWasmBackend, heapView } from './internals';
import { stockKernel } from './stock';

/**
 * Identity and same-dtype Cast share the input's buffer and bump its reference count, as the
 * CPU backend does; the stock wasm kernels deep-copy, and Identity runs on every tensor saved
 * for the backward pass (~7% of a step, docs/PERF-NOTES.md "Kernel fixes", fix 3). Safe because no wasm kernel
 * writes into its inputs: the buffer is freed when the last reference goes.
 */
function share(backend: object, x: TensorInfo): TensorInfo {
  asWasmBackend(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const identity: KernelFunc = (args) => {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return stockKernel(Identity)(args);
  return share(args.backend, x);
};

/**
 * Numeric → bool is `x != 0`. The stock kernel stores the number in a Uint8Array (so -2.7
 * became 254 and 256 became false); the CPU backend and TensorFlow compare with zero.
 */
function castToBool(backend: object, x: TensorInfo): TensorInfo {
  const b = asWasmBackend(backend);
  const out = b.makeOutput(x.shape, 'bool');
  const src = heapView(b, x);
  const dst = heapView(b, out);
  for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  return out;
}

const cast: KernelFunc = (args) => {
  const x = args.inputs.x as TensorInfo;
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (x.dtype === 'string') return stockKernel(Cast)(args);
  if (dtype === x.dtype) return share(args.backend, x);
  if (dtype === 'bool') return castToBool(args.backend, x);
  return stockKernel(Cast)(args);
};

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};
export const castConfig: KernelConfig = { kernelName: Cast, backendName: 'wasm', kernelFunc: cast };
