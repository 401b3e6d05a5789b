import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import { asWasmBackend } from '../../src-worker/backend/wasm-kernels/internals';
import { simdKernels } from '../../src-worker/backend/wasm-kernels/simd';
import { leadingReduction, sumConfig } from '../../src-worker/backend/wasm-kernels/sum';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

describe('wasm Sum override (column sums over leading axes)', () => {
  it('is the registered wasm kernel, and the SIMD module loads on this backend', async () => {
    expect(tf.getKernel('Sum', 'wasm').kernelFunc).toBe(sumConfig.kernelFunc);
    await tf.setBackend('wasm');
    expect(simdKernels(asWasmBackend(tf.backend()))).not.toBeNull();
  });

  it('recognizes reductions over leading axes only', () => {
    expect(leadingReduction([2048, 256], [0])).toEqual({ rows: 2048, cols: 256 });
    expect(leadingReduction([2, 3, 4, 5], [1, 0])).toEqual({ rows: 6, cols: 20 });
    expect(leadingReduction([2, 3, 4], [1])).toBeNull();
    expect(leadingReduction([2, 3, 4], [2])).toBeNull();
    expect(leadingReduction([2, 3], [0, 1])).toBeNull(); // full reduction: stock kernel
  });

  it('matches the CPU backend on leading, odd-width, other and full reductions', async () => {
    const cases: [number[], number | number[], boolean, 'float32' | 'int32'][] = [
      [[513, 256], 0, false, 'float32'],
      [[300, 7], 0, true, 'float32'], // width not a multiple of 4: JS tail
      [[3, 1], 0, false, 'float32'],
      [[5, 6, 4, 3], [0, 1], false, 'float32'],
      [[5, 6, 4, 3], [1, 0], true, 'float32'],
      [[7, 9], -2, false, 'float32'],
      [[7, 9], 1, false, 'float32'], // innermost: stock kernel
      [[4, 5, 6], [0, 2], true, 'float32'], // not leading: stock kernel
      [[40, 6], [0, 1], false, 'float32'], // full: stock kernel
      [[40, 6], 0, false, 'int32'], // int32: stock kernel
      [[0, 6], 0, false, 'float32'],
    ];
    let seed = 1;
    for (const [shape, axis, keepDims, dtype] of cases) {
      const vals = randomNormal(new Rng(seed++), shape);
      await expectSameOnWasmAndCpu(
        () => tf.sum(tf.cast(tf.mul(tf.tensor(vals, shape), 20), dtype), axis, keepDims),
        1e-6,
        `[${shape}] axis ${String(axis)} keepDims ${keepDims} ${dtype}`,
      );
    }
  });

  it('gives the CPU gradient of a broadcast gain (the RMSNorm weight)', async () => {
    const rng = new Rng(9);
    const x = randomNormal(rng, [64, 4, 10]);
    const w = randomNormal(rng, [10]);
    await expectSameOnWasmAndCpu(
      () =>
        tf.grad((g: tf.Tensor) => tf.sum(tf.square(tf.mul(tf.tensor(x, [64, 4, 10]), g))))(
          tf.tensor(w, [10]),
        ),
      1e-5,
      'gain gradient',
    );
  });
});
