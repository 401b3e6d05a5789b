import type { KernelFunc } from '@tensorflow/tfjs-core';

/**
 * The stock wasm kernels we replaced, kept so an override can hand over the cases it does not
 * cover (e.g. string tensors) instead of failing.
 */
const stockKernels = new Map<string, KernelFunc>();

export function rememberStockKernel(name: string, fn: KernelFunc): void {
  if (!stockKernels.has(name)) stockKernels.set(name, fn);
}

export function stockKernel(name: string): KernelFunc {
  const fn = stockKernels.get(name);
  if (fn === undefined) throw new Error(`no stock wasm kernel ${name} was recorded`);
  return fn;
}
