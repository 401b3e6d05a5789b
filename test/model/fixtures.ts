/**
 * Paths and parsed values of the PyTorch reference fixtures (test/reference/torch/README.md),
 * plus backend setups with gradients registered: the CPU backend for exact comparisons, and
 * the WASM backend (OpenBLAS products) the PyTorch reference tests run on.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeBackend, initBackend } from '../../src-worker/backend/index';
import { ensureGradients } from '../../src-worker/train/gradients';
import { REPO_ROOT } from '../helpers/paths';
import reference from '../reference/torch/fixtures/reference.json';

export const REFERENCE = reference;
export const FIXTURES = join(REPO_ROOT, 'test/reference/torch/fixtures');
export const fixtureDir = (name: string): string => join(FIXTURES, name);

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await ensureGradients();
}

/**
 * The backend users train on: WASM with OpenBLAS products where plw-blas is built (always in
 * CI), else XNNPACK's; one thread. The PyTorch reference tests run on it.
 */
export async function useNativeBackend(): Promise<void> {
  if (process.env['PLW_TEST_BACKEND'] === 'webgpu') {
    await useWebGpuBackend();
    return;
  }
  await initBackend({ backend: 'wasm', threads: 1 });
  await ensureGradients();
}

/**
 * The same suites on the webgpu backend (test/backend/webgpu-*.test.ts set PLW_TEST_BACKEND):
 * forced, so a missing adapter throws (the test fails, CI=true or not); the backend line is
 * asserted so a silent fallback to another backend fails too.
 */
export async function useWebGpuBackend(): Promise<void> {
  const info = await initBackend({ backend: 'webgpu' });
  expect(info.name).toBe('webgpu');
  expect(tf.getBackend()).toBe('webgpu');
  expect(describeBackend(info)).toMatch(/^webgpu \(adapter \S+ \S+ .*maxBufferSize \d/);
  await ensureGradients();
}

/** True when the suite runs on webgpu (test/backend/webgpu-*.test.ts). */
export const onWebGpu = (): boolean => process.env['PLW_TEST_BACKEND'] === 'webgpu';

/** |actual − expected| ≤ rel·|expected|: the relative tolerance a test states. */
export function expectRelClose(actual: number | null, expected: number, rel: number, label = '') {
  expect(actual, label).not.toBeNull();
  const err = Math.abs((actual as number) - expected);
  expect(err, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
