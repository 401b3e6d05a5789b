import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import type { PlwBlas } from '../blas';
import { plwAdamWConfig } from './adamw';
import { blasBatchMatMulConfig } from './blas-mat-mul';
import { batchMatMulConfig } from './batch-mat-mul';
import { gatherV2Config } from './gather';
import { castConfig, identityConfig } from './identity';
import { sliceConfig, splitVConfig, unpackConfig } from './slice';
import { softmaxGradConfig } from './softmax-grad';
import { sumConfig } from './sum';
import { transposeConfig } from './transpose';
import { rememberStockKernel } from './stock';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** Every override, each tested against the CPU backend in test/backend/. */
export const WASM_KERNEL_OVERRIDES: readonly KernelConfig[] = [
  batchMatMulConfig,
  sliceConfig,
  splitVConfig,
  unpackConfig,
  identityConfig,
  castConfig,
  unsortedSegmentSumConfig,
  transposeConfig,
  sumConfig,
  plwAdamWConfig,
  gatherV2Config,
  softmaxGradConfig,
];

let registered = false;

function stockOrNull(name: string): KernelConfig | null {
  try {
    return getKernel(name, 'wasm') ?? null;
  } catch {
    return null;
  }
}

/**
 * Replaces (or adds) the wasm kernels of WASM_KERNEL_OVERRIDES. Idempotent. Call before the
 * wasm backend is initialized: setup functions (carried over from the stock kernels) run then.
 */
export function registerWasmKernelOverrides(): void {
  if (registered) return;
  for (const config of WASM_KERNEL_OVERRIDES) {
    const stock = stockOrNull(config.kernelName);
    if (stock !== null) {
      rememberStockKernel(config.kernelName, stock.kernelFunc);
      unregisterKernel(config.kernelName, 'wasm');
    }
    // Keep the stock setup (it binds the C function the stock kernel calls when we hand over).
    const setupFunc = config.setupFunc ?? stock?.setupFunc;
    registerKernel(setupFunc === undefined ? config : { ...config, setupFunc });
  }
  registered = true;
}

/**
 * Makes OpenBLAS (../blas.ts) the wasm BatchMatMul, over the XNNPACK override when that is
 * registered. Call before the wasm backend is initialized, like the overrides. Returns a
 * function that restores the previous kernel.
 */
export function registerBlasBatchMatMul(blas: PlwBlas): () => void {
  const config = blasBatchMatMulConfig(blas);
  const current = stockOrNull(config.kernelName);
  if (current !== null) unregisterKernel(config.kernelName, 'wasm');
  const setupFunc = current?.setupFunc;
  registerKernel(setupFunc === undefined ? config : { ...config, setupFunc });
  /** Puts the previous kernel back (the backend did not start). */
  return () => {
    unregisterKernel(config.kernelName, 'wasm');
    if (current !== null) registerKernel(current);
  };
}
