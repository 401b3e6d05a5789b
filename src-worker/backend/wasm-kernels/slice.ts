import {
  backend_util,
  slice_util,
  Slice,
  SplitV,
  Unpack,
  util,
  type KernelConfig,
  type KernelFunc,
  type SliceAttrs,
  type SplitVAttrs,
  type TensorInfo,
  type UnpackAttrs,
} from '@tensorflow/tfjs-core';
import { asWasmBackend, heapView, type WasmBackend } from './internals';
import { stockKernel } from './stock';
import { copyWindow } from './window-copy';

/** Slice, SplitV and Unpack that copy only each output's window of the input heap buffer. */

function sliceWindow(b: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = b.makeOutput(size, x.dtype);
  if (util.sizeFromShape(size) > 0) {
    copyWindow(heapView(b, x), x.shape, begin, size, heapView(b, out));
  }
  return out;
}

const slice: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  if (x.dtype === 'string') return stockKernel(Slice)(args);
  const b = asWasmBackend(backend);
  const { begin, size } = attrs as unknown as SliceAttrs;
  const [begin_, size_] = slice_util.parseSliceParams(x, begin, size);
  slice_util.assertParamsValid(x, begin_, size_);
  return sliceWindow(b, x, begin_, size_);
};

const splitV: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  if (x.dtype === 'string') return stockKernel(SplitV)(args);
  const b = asWasmBackend(backend);
  const { numOrSizeSplits, axis } = attrs as unknown as SplitVAttrs;
  const ax = util.parseAxisParam(axis, x.shape)[0] ?? 0;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[ax] = s;
    const out = sliceWindow(b, x, begin, size);
    begin[ax] = (begin[ax] ?? 0) + s;
    return out;
  });
};

const unpack: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const value = inputs.value as TensorInfo;
  if (value.dtype === 'string') return stockKernel(Unpack)(args);
  const b = asWasmBackend(backend);
  const rank = value.shape.length;
  let { axis } = attrs as unknown as UnpackAttrs;
  if (axis < 0) axis += rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < (value.shape[axis] ?? 0); i++) {
    begin[axis] = i;
    const out = sliceWindow(b, value, begin, size);
    outs.push({ dataId: out.dataId, shape: outShape, dtype: out.dtype });
  }
  return outs;
};

export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'wasm',
  kernelFunc: slice,
};
export const splitVConfig: KernelConfig = {
  kernelName: SplitV,
  backendName: 'wasm',
  kernelFunc: splitV,
};
export const unpackConfig: KernelConfig = {
  kernelName: Unpack,
  backendName: 'wasm',
  kernelFunc: unpack,
};
