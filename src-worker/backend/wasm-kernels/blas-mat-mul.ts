import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { PlwBlas } from '../blas';
import { emptyProduct, matMulPlan } from './batch-mat-mul';
import { asWasmBackend, heapOffset } from './internals';

/**
 * BatchMatMul through OpenBLAS (../blas.ts), in place on the WASM heap: the addon reads both
 * operands and writes the output where the backend keeps them, every transpose handled by
 * sgemm's own flags and every output batch slice (with numpy-style broadcasting, e.g. GQA's
 * shared K/V heads) looped over in C. A weight shared by a whole batch is one GEMM.
 *
 * The heap view is read after the output is allocated: an allocation can grow the WASM
 * memory, which replaces the buffer behind `HEAPF32` (single-threaded build) or its length
 * (threaded build, SharedArrayBuffer).
 */
export function blasBatchMatMulConfig(blas: PlwBlas): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = asWasmBackend(backend);
    const { a, b: bIn } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    const plan = matMulPlan(a, bIn, transposeA, transposeB);
    const empty = emptyProduct(b, plan);
    if (empty !== null) return empty;
    const out = b.makeOutput(plan.outShape, 'float32');
    blas.sgemm(
      b.wasm.HEAPF32,
      heapOffset(b, a),
      heapOffset(b, bIn),
      heapOffset(b, out),
      plan.m,
      plan.n,
      plan.k,
      transposeA,
      transposeB,
      plan.aIndex,
      plan.bIndex,
    );
    return out;
  };
  return { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc };
}
