import {
  BatchMatMul,
  broadcast_util,
  getKernel,
  Transpose,
  util,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  aliasWindow,
  asWasmBackend,
  heapView,
  releaseAlias,
  tensorData,
  type WasmBackend,
} from './internals';

/**
 * BatchMatMul through XNNPACK in every case.
 *
 * The stock kernel reaches XNNPACK's GEMM only for batch 1 without transposes; everything else
 * (all backward matmuls, all attention matmuls) runs a naive loop at ~2.5 GFLOP/s instead of
 * ~30 (PERF-NOTES.md, fix 1). Here a transposed operand is first made contiguous with the
 * stock Transpose kernel, then:
 * - when b has no batch (a weight matrix), all of a's rows go through ONE GEMM
 *   [batchA·M, K] x [K, N], so XNNPACK packs the weights once;
 * - otherwise each output batch slice is one GEMM on windows of the inputs, registered as
 *   alias tensor ids (no copies), with numpy-style broadcasting of the batch dims.
 */

/** Heap scratch for two rank-3 shapes (the C kernel reads shapes from memory). */
const shapeScratch = new WeakMap<WasmBackend, number>();

function scratch(b: WasmBackend): number {
  let ptr = shapeScratch.get(b);
  if (ptr === undefined) {
    ptr = b.wasm._malloc(6 * 4) >>> 0;
    shapeScratch.set(b, ptr);
  }
  return ptr;
}

/** C `BatchMatMul` on rank-3 operands of batch 1, no transposes: XNNPACK's fully connected. */
function gemm(
  b: WasmBackend,
  aId: number,
  bId: number,
  outId: number,
  m: number,
  k: number,
  n: number,
): void {
  const ptr = scratch(b);
  const i = ptr >>> 2;
  const heap = b.wasm.HEAP32;
  heap[i] = 1;
  heap[i + 1] = m;
  heap[i + 2] = k;
  heap[i + 3] = 1;
  heap[i + 4] = k;
  heap[i + 5] = n;
  b.wasm._BatchMatMul(aId, ptr, 3, bId, ptr + 12, 3, 0, 0, outId);
}

/** [batch, rows, cols] → [batch, cols, rows] with the stock (XNNPACK-free but linear) Transpose. */
function transposeLast2(
  b: WasmBackend,
  x: TensorInfo,
  batch: number,
  rows: number,
  cols: number,
): TensorInfo {
  const transpose = getKernel(Transpose, 'wasm').kernelFunc;
  const view: TensorInfo = { dataId: x.dataId, shape: [batch, rows, cols], dtype: x.dtype };
  return transpose({ inputs: { x: view }, backend: b, attrs: { perm: [0, 2, 1] } }) as TensorInfo;
}

/** For each output batch index, the flat batch index of an input broadcast to `outShape`. */
export function broadcastBatchIndex(outShape: number[], inShape: number[]): Int32Array {
  const total = util.sizeFromShape(outShape);
  const rank = outShape.length;
  const padded = new Array<number>(rank - inShape.length).fill(1).concat(inShape);
  const inStrides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = padded[d] === 1 ? 0 : stride;
    stride *= padded[d] ?? 1;
  }
  const result = new Int32Array(total);
  for (let o = 0; o < total; o++) {
    let rest = o;
    let idx = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const size = outShape[d] ?? 1;
      idx += (rest % size) * (inStrides[d] ?? 0);
      rest = Math.floor(rest / size);
    }
    result[o] = idx;
  }
  return result;
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = asWasmBackend(backend);
  const { a, b: bIn } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a.dtype !== 'float32' || bIn.dtype !== 'float32') {
    throw new Error('BatchMatMul on wasm supports float32 only');
  }
  const aRank = a.shape.length;
  const bRank = bIn.shape.length;
  const m = a.shape[transposeA ? aRank - 1 : aRank - 2] ?? 0;
  const k = a.shape[transposeA ? aRank - 2 : aRank - 1] ?? 0;
  const kB = bIn.shape[transposeB ? bRank - 1 : bRank - 2] ?? 0;
  const n = bIn.shape[transposeB ? bRank - 2 : bRank - 1] ?? 0;
  if (k !== kB) {
    throw new Error(
      `matMul: inner dimensions ${k} and ${kB} of shapes [${a.shape}] and [${bIn.shape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB}) differ`,
    );
  }
  const aBatchShape = a.shape.slice(0, -2);
  const bBatchShape = bIn.shape.slice(0, -2);
  const outBatchShape = broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const out = b.makeOutput([...outBatchShape, m, n], 'float32');
  const outSize = util.sizeFromShape(out.shape);
  if (outSize === 0) return out;
  if (k === 0) {
    heapView(b, out).fill(0);
    return out;
  }
  const batchA = util.sizeFromShape(aBatchShape);
  const batchB = util.sizeFromShape(bBatchShape);

  // Contiguous [batch, M, K] and [batch, K, N] operands.
  const aT = transposeA ? transposeLast2(b, a, batchA, k, m) : a; // [batchA, M, K]
  const bT = transposeB ? transposeLast2(b, bIn, batchB, n, k) : bIn; // [batchB, K, N]
  try {
    const aData = tensorData(b, aT);
    const bData = tensorData(b, bT);
    const outData = tensorData(b, out);
    if (batchB === 1) {
      // [batchA·M, K] x [K, N]: one GEMM, weights packed once.
      gemm(b, aData.id, bData.id, outData.id, batchA * m, k, n);
      return out;
    }
    const outBatch = util.sizeFromShape(outBatchShape);
    const aIndex = broadcastBatchIndex(outBatchShape, aBatchShape);
    const bIndex = broadcastBatchIndex(outBatchShape, bBatchShape);
    const aBase = aData.memoryOffset >>> 0;
    const bBase = bData.memoryOffset >>> 0;
    const outBase = outData.memoryOffset >>> 0;
    for (let o = 0; o < outBatch; o++) {
      const aId = aliasWindow(b, aBase + (aIndex[o] ?? 0) * m * k * 4, m * k);
      const bId = aliasWindow(b, bBase + (bIndex[o] ?? 0) * k * n * 4, k * n);
      const oId = aliasWindow(b, outBase + o * m * n * 4, m * n);
      try {
        gemm(b, aId, bId, oId, m, k, n);
      } finally {
        releaseAlias(b, aId);
        releaseAlias(b, bId);
        releaseAlias(b, oId);
      }
    }
    return out;
  } finally {
    if (aT !== a) b.disposeData(aT.dataId);
    if (bT !== bIn) b.disposeData(bT.dataId);
  }
};

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
