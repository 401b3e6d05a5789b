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
  heapOffset,
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
 * ~30 (docs/PERF-NOTES.md "Kernel fixes", fix 1). Here a transposed operand is first made contiguous with the
 * registered Transpose kernel (SIMD, ./transpose.ts), then:
 * - when b has no batch (a weight matrix), all of a's rows go through ONE GEMM
 *   [batchA·M, K] x [K, N], so XNNPACK packs the weights once;
 * - otherwise each output batch slice is one GEMM on windows of the inputs, registered as
 *   alias tensor ids (no copies), with numpy-style broadcasting of the batch dims.
 * XNNPACK packs the GEMM's weights operand on every call, several times slower per element
 * than a transpose, so when it is cheaper the product is computed transposed, Cᵀ = op(B)ᵀ·
 * op(A)ᵀ, with A as the weights (e.g. the weight gradient dYᵀ·X of a layer whose input is
 * wider than its output packs dY instead of X), and Cᵀ is transposed back.
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

/**
 * Relative costs per element, measured on this backend: XNNPACK packs a GEMM's weights on every
 * call (fresh tensor ids) at ~2.5–5.5 ns per element, while a transpose through the SIMD module
 * costs ~0.5–0.8 ns (a 5–7x ratio across measurements). Which operand becomes the packed
 * weights is therefore worth choosing.
 */
const PACK_COST = 6;
const TRANSPOSE_COST = 1;

/**
 * Elements transposed and packed by the two ways of computing C = op(A)·op(B), per output batch:
 * - direct: input op(A) [M, K], weights op(B) [K, N] → C;
 * - swapped: input op(B)ᵀ [N, K], weights op(A)ᵀ [K, M] → Cᵀ, then one small transpose.
 * A stored operand is used as is when its layout already fits, else transposed first.
 * Exported for tests.
 */
export function chooseSwapped(
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
  batchA: number,
  batchB: number,
  outBatch: number,
): boolean {
  const direct =
    TRANSPOSE_COST * ((transposeA ? batchA * m * k : 0) + (transposeB ? batchB * k * n : 0)) +
    PACK_COST * (batchB === 1 ? 1 : outBatch) * k * n;
  const swapped =
    TRANSPOSE_COST *
      ((transposeA ? 0 : batchA * m * k) + (transposeB ? 0 : batchB * k * n) + outBatch * m * n) +
    PACK_COST * (batchA === 1 ? 1 : outBatch) * k * m;
  return swapped < direct;
}

/**
 * out[o] = inp[inIndex[o]] · w[wIndex[o]] for each output batch o, with inp [batchIn, rows, k]
 * and w [batchW, k, cols] contiguous. A shared weight (batchW 1) makes one GEMM over all rows.
 */
function gemmBatches(
  b: WasmBackend,
  inp: TensorInfo,
  w: TensorInfo,
  out: TensorInfo,
  rows: number,
  k: number,
  cols: number,
  inIndex: Int32Array,
  wIndex: Int32Array,
  batchIn: number,
  batchW: number,
): void {
  const inData = tensorData(b, inp);
  const wData = tensorData(b, w);
  const outData = tensorData(b, out);
  if (batchW === 1 && batchIn === inIndex.length) {
    // [batch·rows, K] x [K, cols]: one GEMM, weights packed once.
    gemm(b, inData.id, wData.id, outData.id, batchIn * rows, k, cols);
    return;
  }
  const inBase = heapOffset(b, inp);
  const wBase = heapOffset(b, w);
  const outBase = heapOffset(b, out);
  for (let o = 0; o < inIndex.length; o++) {
    const aId = aliasWindow(b, inBase + (inIndex[o] ?? 0) * rows * k * 4, rows * k);
    const bId = aliasWindow(b, wBase + (wIndex[o] ?? 0) * k * cols * 4, k * cols);
    const oId = aliasWindow(b, outBase + o * rows * cols * 4, rows * cols);
    try {
      gemm(b, aId, bId, oId, rows, k, cols);
    } finally {
      releaseAlias(b, aId);
      releaseAlias(b, bId);
      releaseAlias(b, oId);
    }
  }
}

/** Shapes and batch mapping of C = op(A)·op(B) with numpy-style batch broadcasting. */
export interface MatMulPlan {
  m: number;
  k: number;
  n: number;
  outShape: number[];
  batchA: number;
  batchB: number;
  outBatch: number;
  /** For each output batch, the flat batch index into a and into b. */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/** Checks the operands of a BatchMatMul and works out its shapes (shared by both kernels). */
export function matMulPlan(
  a: TensorInfo,
  bIn: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan {
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
  return {
    m,
    k,
    n,
    outShape: [...outBatchShape, m, n],
    batchA: util.sizeFromShape(aBatchShape),
    batchB: util.sizeFromShape(bBatchShape),
    outBatch: util.sizeFromShape(outBatchShape),
    aIndex: broadcastBatchIndex(outBatchShape, aBatchShape),
    bIndex: broadcastBatchIndex(outBatchShape, bBatchShape),
  };
}

/** The output of an empty product: no elements, or zeros when the inner dimension is 0. */
export function emptyProduct(b: WasmBackend, plan: MatMulPlan): TensorInfo | null {
  if (plan.k > 0 && util.sizeFromShape(plan.outShape) > 0) return null;
  const out = b.makeOutput(plan.outShape, 'float32');
  if (util.sizeFromShape(plan.outShape) > 0) heapView(b, out).fill(0);
  return out;
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = asWasmBackend(backend);
  const { a, b: bIn } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  const plan = matMulPlan(a, bIn, transposeA, transposeB);
  const empty = emptyProduct(b, plan);
  if (empty !== null) return empty;
  const { m, k, n, outShape, batchA, batchB, outBatch, aIndex, bIndex } = plan;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo, original: TensorInfo): TensorInfo => {
    if (t !== original) temps.push(t);
    return t;
  };
  try {
    if (!chooseSwapped(m, k, n, transposeA, transposeB, batchA, batchB, outBatch)) {
      // Contiguous [batch, M, K] input and [batch, K, N] weights.
      const aT = keep(transposeA ? transposeLast2(b, a, batchA, k, m) : a, a);
      const bT = keep(transposeB ? transposeLast2(b, bIn, batchB, n, k) : bIn, bIn);
      const out = b.makeOutput(outShape, 'float32');
      gemmBatches(b, aT, bT, out, m, k, n, aIndex, bIndex, batchA, batchB);
      return out;
    }
    // Cᵀ = op(B)ᵀ·op(A)ᵀ: input [batch, N, K], weights [batch, K, M], then [N, M] → [M, N].
    const bT = keep(transposeB ? bIn : transposeLast2(b, bIn, batchB, k, n), bIn);
    const aT = keep(transposeA ? a : transposeLast2(b, a, batchA, m, k), a);
    const outT = b.makeOutput([outBatch, n, m], 'float32');
    temps.push(outT);
    gemmBatches(b, bT, aT, outT, n, k, m, bIndex, aIndex, batchB, batchA);
    const out = transposeLast2(b, outT, outBatch, n, m);
    return { dataId: out.dataId, shape: outShape, dtype: 'float32' };
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
