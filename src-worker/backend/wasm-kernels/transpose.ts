import {
  Transpose,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type TransposeAttrs,
} from '@tensorflow/tfjs-core';
import { asWasmBackend, heapOffset, heapView } from './internals';
import { simdKernels, type SimdKernels } from './simd';
import { stockKernel } from './stock';

/**
 * Transpose with a cache-blocked path for what is, once size-1 dims are dropped, a 2D
 * transpose [R, C] → [C, R] (optionally batched: [B, R, C] → [B, C, R]) of large slices.
 * The stock C kernel walks those with a stride of R elements and ran at ~150 M elements/s on
 * [2048, 352] (6.7 ns each), while the 4D head transposes ran at 1.6 G/s; the 2D case is the
 * one BatchMatMul's transposed operands (the weight gradients' dYᵀ, attention's Pᵀ) and
 * reductions over leading axes hit. Float32/int32 go through the SIMD module (./simd.ts, 4×4
 * register tiles, ~7x faster than the JS loop below); bool, or no SIMD module: JS tiles of
 * 32×32 that keep both sides in cache. Everything else: stock kernel.
 */
const TILE = 32;
/** Below this many elements per slice the stock kernel is as fast (it fits in cache). */
const MIN_BLOCKED = 64 * 1024;

export function transposeBlocked<T extends Float32Array | Int32Array | Uint8Array>(
  src: T,
  dst: T,
  batch: number,
  rows: number,
  cols: number,
): void {
  const slice = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * slice;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(r0 + TILE, rows);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(c0 + TILE, cols);
        for (let r = r0; r < r1; r++) {
          let s = base + r * cols + c0;
          let d = base + c0 * rows + r;
          for (let c = c0; c < c1; c++) {
            dst[d] = src[s] as number;
            s++;
            d += rows;
          }
        }
      }
    }
  }
}

/** The [batch, rows, cols] view of a transpose that swaps the last two non-1 dims, or null. */
export function asBatched2d(
  shape: readonly number[],
  perm: readonly number[],
): { batch: number; rows: number; cols: number } | null {
  const kept: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) kept.push(i);
  const keptPerm = perm.filter((p) => shape[p] !== 1);
  const n = kept.length;
  if (n < 2) return null;
  for (let i = 0; i < n - 2; i++) if (keptPerm[i] !== kept[i]) return null;
  if (keptPerm[n - 2] !== kept[n - 1] || keptPerm[n - 1] !== kept[n - 2]) return null;
  const dims = kept.map((i) => shape[i] ?? 1);
  return {
    batch: dims.slice(0, n - 2).reduce((a, d) => a * d, 1),
    rows: dims[n - 2] ?? 1,
    cols: dims[n - 1] ?? 1,
  };
}

/**
 * [batch, rows, cols] → [batch, cols, rows] for 4-byte elements: the SIMD module does each
 * slice's multiple-of-4 block, JS the leftover edge rows and columns.
 */
function transposeSimd(
  simd: SimdKernels,
  srcBase: number,
  dstBase: number,
  src: Float32Array | Int32Array,
  dst: Float32Array | Int32Array,
  batch: number,
  rows: number,
  cols: number,
): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  const slice = rows * cols;
  for (let s = 0; s < batch; s++) {
    const base = s * slice;
    if (rows4 > 0 && cols4 > 0) {
      simd.transpose(srcBase + base * 4, dstBase + base * 4, rows, cols, rows4, cols4);
    }
    // Edges: rows rows4.. (all columns) and columns cols4.. (rows below rows4).
    for (let r = rows4; r < rows; r++) {
      for (let c = 0; c < cols; c++) dst[base + c * rows + r] = src[base + r * cols + c] as number;
    }
    for (let r = 0; r < rows4; r++) {
      for (let c = cols4; c < cols; c++)
        dst[base + c * rows + r] = src[base + r * cols + c] as number;
    }
  }
}

const transpose: KernelFunc = (args) => {
  const x = args.inputs.x as TensorInfo;
  const { perm } = args.attrs as unknown as TransposeAttrs;
  const view = x.dtype === 'string' ? null : asBatched2d(x.shape, perm);
  if (view === null) return stockKernel(Transpose)(args);
  const b = asWasmBackend(args.backend);
  const simd = x.dtype === 'bool' ? null : simdKernels(b);
  if (simd === null && view.rows * view.cols < MIN_BLOCKED) return stockKernel(Transpose)(args);
  const out = b.makeOutput(
    perm.map((p) => x.shape[p] ?? 1),
    x.dtype,
  );
  if (util.sizeFromShape(x.shape) === 0) return out;
  const src = heapView(b, x);
  const dst = heapView(b, out);
  if (simd !== null && !(src instanceof Uint8Array) && !(dst instanceof Uint8Array)) {
    const srcBase = heapOffset(b, x);
    const dstBase = heapOffset(b, out);
    transposeSimd(simd, srcBase, dstBase, src, dst, view.batch, view.rows, view.cols);
  } else {
    transposeBlocked(src, dst, view.batch, view.rows, view.cols);
  }
  return out;
};

export const transposeConfig: KernelConfig = {
  kernelName: Transpose,
  backendName: 'wasm',
  kernelFunc: transpose,
};
