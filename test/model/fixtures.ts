/**
 * Paths and parsed values of the PyTorch reference fixtures (test/reference/torch/README.md),
 * plus a CPU-backend setup with gradients registered, for exact comparisons.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { join } from 'node:path';
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

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
