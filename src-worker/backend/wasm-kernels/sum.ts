import {
  backend_util,
  Sum,
  util,
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asWasmBackend, heapOffset, heapView } from './internals';
import { simdKernels } from './simd';
import { stockKernel } from './stock';

/**
 * Sum over LEADING axes of a float32 tensor (e.g. [N, D] over axis 0: the gradient of every
 * broadcast [D] weight such as the RMSNorm gains) as a column sum, rows added in order: the
 * stock kernel first transposes the whole input with its slow 2D path and then reduces rows
 * (4.5 ms for [2048, 256]). Any other reduction goes to the stock kernel.
 */

/** Number of leading elements reduced (rows) and kept (cols) when `axes` is 0..k-1, or null. */
export function leadingReduction(
  shape: readonly number[],
  axes: readonly number[],
): { rows: number; cols: number } | null {
  const sorted = [...new Set(axes)].sort((p, q) => p - q);
  if (sorted.length === 0 || sorted.length === shape.length) return null;
  if (sorted.some((a, i) => a !== i)) return null;
  const k = sorted.length;
  return {
    rows: util.sizeFromShape(shape.slice(0, k)),
    cols: util.sizeFromShape(shape.slice(k)),
  };
}

const sum: KernelFunc = (args) => {
  const x = args.inputs.x as TensorInfo;
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  if (x.dtype !== 'float32') return stockKernel(Sum)(args);
  const axes = util.parseAxisParam(axis, x.shape);
  const view = leadingReduction(x.shape, axes);
  if (view === null || view.rows * view.cols === 0) return stockKernel(Sum)(args);
  const b = asWasmBackend(args.backend);
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const out = b.makeOutput(shape, 'float32');
  const src = heapView(b, x) as Float32Array;
  const dst = heapView(b, out) as Float32Array;
  dst.fill(0);
  const { rows, cols } = view;
  const simd = simdKernels(b);
  let done = 0;
  if (simd !== null) {
    done = cols & ~3;
    if (done > 0) {
      const srcBase = heapOffset(b, x);
      const dstBase = heapOffset(b, out);
      simd.colSum(srcBase, dstBase, rows, cols, done);
    }
  }
  if (done < cols) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = done; c < cols; c++) dst[c] = (dst[c] as number) + (src[base + c] as number);
    }
  }
  return out;
};

export const sumConfig: KernelConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: sum };
