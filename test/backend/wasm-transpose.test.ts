import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import { asBatched2d, transposeConfig } from '../../src-worker/backend/wasm-kernels/transpose';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

describe('wasm Transpose override (SIMD / blocked 2D path)', () => {
  it('is the registered wasm kernel', () => {
    expect(tf.getKernel('Transpose', 'wasm').kernelFunc).toBe(transposeConfig.kernelFunc);
  });

  it('recognizes (batched) 2D transposes once size-1 dims are dropped', () => {
    expect(asBatched2d([300, 400], [1, 0])).toEqual({ batch: 1, rows: 300, cols: 400 });
    expect(asBatched2d([1, 300, 1, 400], [0, 3, 2, 1])).toEqual({ batch: 1, rows: 300, cols: 400 });
    expect(asBatched2d([3, 300, 400], [0, 2, 1])).toEqual({ batch: 3, rows: 300, cols: 400 });
    expect(asBatched2d([2, 3, 4, 5], [0, 2, 1, 3])).toBeNull();
    expect(asBatched2d([3, 300, 400], [2, 1, 0])).toBeNull();
  });

  it('matches the CPU backend on large and odd-sized 2D and batched transposes', async () => {
    const cases: [number[], number[], 'float32' | 'int32' | 'bool'][] = [
      [[333, 257], [1, 0], 'float32'],
      [[2048, 40], [1, 0], 'float32'],
      [[1, 513, 1, 131], [0, 3, 2, 1], 'float32'],
      [[3, 129, 517], [0, 2, 1], 'int32'],
      [[2, 300, 250], [0, 2, 1], 'bool'],
      [[2, 300, 250], [0, 2, 1], 'float32'], // 4 strips of 64 rows and one of 44
      [[2050, 70], [1, 0], 'float32'], // a long strip tail and odd edges
      [[300, 0], [1, 0], 'float32'],
      [[7, 9], [1, 0], 'float32'],
      [[3, 2], [1, 0], 'float32'], // smaller than one 4×4 tile: edges only
      [[64, 36, 36], [0, 2, 1], 'float32'], // many small slices (attention Pᵀ)
      [[5, 37, 70], [0, 2, 1], 'float32'], // odd rows and columns: SIMD block plus JS edges
      [[4, 1, 41, 2], [0, 1, 3, 2], 'int32'],
      [[2, 8, 3, 4], [0, 2, 1, 3], 'float32'], // head transpose: stock kernel
      [[4, 5, 6, 7], [3, 1, 0, 2], 'float32'], // general perm: stock kernel
    ];
    let seed = 1;
    for (const [shape, perm, dtype] of cases) {
      const vals = randomNormal(new Rng(seed++), shape);
      await expectSameOnWasmAndCpu(
        () => tf.transpose(tf.cast(tf.mul(tf.tensor(vals, shape), 50), dtype), perm),
        0,
        `[${shape}] perm [${perm}] ${dtype}`,
      );
    }
  });
});
