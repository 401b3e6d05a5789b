import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import { gatherV2Config } from '../../src-worker/backend/wasm-kernels/gather';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

describe('wasm GatherV2 override (row gather)', () => {
  it('is the registered wasm kernel', () => {
    expect(tf.getKernel('GatherV2', 'wasm').kernelFunc).toBe(gatherV2Config.kernelFunc);
  });

  it('matches the CPU backend on every axis and batchDims (the stock kernel is wrong there)', async () => {
    const cases: [number[], number[], number[], number, number, 'float32' | 'int32'][] = [
      // x shape, indices, indices shape, axis, batchDims, dtype
      [[50, 7], [3, 0, 49, 3, 17], [5], 0, 0, 'float32'],
      [[50, 2, 3], [1, 2, 3, 4, 5, 6], [2, 3], 0, 0, 'float32'], // rank-2 indices, rank-3 x
      [[9], [8, 0, 4], [3], 0, 0, 'int32'], // scalar rows
      [[20, 6], [], [0], 0, 0, 'float32'], // no indices
      [[5, 6], [5, 0, 2], [3], 1, 0, 'float32'], // axis 1: single elements
      [[2, 5, 6], [1, 0, 4, 4, 3, 2], [2, 3], 1, 1, 'float32'], // batchDims 1
      [[2, 3, 5, 4], [4, 0, 1, 1], [2, 2], 2, 1, 'int32'], // batchDims 1, an outer axis
      [[3, 4, 2], [3, 3, 0], [3], -2, 0, 'float32'], // negative axis
    ];
    let seed = 1;
    for (const [shape, ids, idsShape, axis, batchDims, dtype] of cases) {
      const vals = randomNormal(new Rng(seed++), shape);
      await expectSameOnWasmAndCpu(
        () =>
          tf.gather(
            tf.cast(tf.mul(tf.tensor(vals, shape), 20), dtype),
            tf.tensor(ids, idsShape, 'int32'),
            axis,
            batchDims,
          ),
        0,
        `[${shape}] ids [${ids}] axis ${axis} batchDims ${batchDims}`,
      );
    }
  });

  it('throws on an index out of range, and its gradient matches the CPU backend', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([4, 3]);
    expect(() => tf.gather(x, tf.tensor1d([4], 'int32'))).toThrow(/not in \[0, 3\]/);
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow(/not in \[0, 3\]/);
    x.dispose();
    const vals = randomNormal(new Rng(3), [6, 4]);
    await expectSameOnWasmAndCpu(
      () =>
        tf.grad((t: tf.Tensor) =>
          tf.sum(tf.square(tf.gather(t, tf.tensor1d([1, 5, 1, 0], 'int32')))),
        )(tf.tensor(vals, [6, 4])),
      1e-6,
      'gather gradient',
    );
  });
});
