import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend } from '../../src-worker/backend/index';
import {
  batchMatMulConfig,
  chooseSwapped,
} from '../../src-worker/backend/wasm-kernels/batch-mat-mul';
import { check, matMulCaseTests, shapes, type Case } from './mat-mul-cases';

// The XNNPACK path, forced: where plw-blas is built, `wasm` would run OpenBLAS (CI runs this
// file as its one check of the fallback).
beforeAll(async () => {
  const info = await initBackend({ backend: 'wasm-xnnpack', threads: 1 });
  expect(info.blas).toBeUndefined();
});

describe('wasm BatchMatMul override (XNNPACK)', () => {
  it('is the registered wasm kernel', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).toBe(batchMatMulConfig.kernelFunc);
  });

  matMulCaseTests();

  it('computes Cᵀ with A as the packed operand when that packs far fewer elements', () => {
    // Weight gradient dYᵀ·X of a layer 704 → 256 wide (down projection): pack dY, not X.
    expect(chooseSwapped(256, 2048, 704, true, false, 1, 1, 1)).toBe(true);
    // The gate/up projections' dYᵀ·X (dY wider than X): direct.
    expect(chooseSwapped(704, 2048, 256, true, false, 1, 1, 1)).toBe(false);
    // Forward x·Wᵀ over many rows, and attention's Pᵀ·dO per head: direct.
    expect(chooseSwapped(2048, 256, 704, false, true, 1, 1, 1)).toBe(false);
    expect(chooseSwapped(256, 256, 32, true, false, 64, 64, 64)).toBe(false);
    // One row (decoding) against a big transposed weight: swapped.
    expect(chooseSwapped(1, 256, 2048, false, true, 1, 1, 1)).toBe(true);
  });

  it('matches the CPU backend when the product is computed transposed (swapped operands)', async () => {
    let seed = 300;
    const cases: [Case, string][] = [
      [shapes([], [], 6, 40, 20, true, false), '2D, transposed A, N > M'],
      [shapes([], [], 4, 30, 41, false, true), '2D, transposed B, one short A'],
      [shapes([], [], 3, 50, 37, false, false), '2D, few rows'],
      [shapes([], [], 5, 33, 19, true, true), '2D, both transposed'],
      [shapes([3], [3], 5, 30, 17, true, false), 'batched'],
      [shapes([3], [], 5, 30, 17, true, false), 'weight broadcast'],
      [shapes([], [3], 2, 30, 17, false, true), 'left broadcast'],
      [shapes([2, 1], [1, 3], 3, 21, 9, true, false), 'two-sided broadcast'],
    ];
    for (const [c, label] of cases) {
      const m = c.a[c.a.length - (c.ta ? 1 : 2)] ?? 0;
      const k = c.a[c.a.length - (c.ta ? 2 : 1)] ?? 0;
      const n = c.b[c.b.length - (c.tb ? 2 : 1)] ?? 0;
      const size = (s: number[]) => s.slice(0, -2).reduce((p, q) => p * q, 1);
      const outBatch = size(
        tf.broadcast_util
          .assertAndGetBroadcastShape(c.a.slice(0, -2), c.b.slice(0, -2))
          .concat(1, 1),
      );
      expect(chooseSwapped(m, k, n, c.ta, c.tb, size(c.a), size(c.b), outBatch), label).toBe(true);
      await check(c, seed++, label);
    }
  });
});
