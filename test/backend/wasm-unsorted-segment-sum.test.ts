import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

describe('wasm UnsortedSegmentSum (missing in tfjs-backend-wasm 4.22)', () => {
  it('exists on wasm', () => {
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('matches the CPU backend, with repeated, unused and out-of-range ids', async () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 15; trial++) {
      const n = rng.int(12);
      const inner = trial % 3 === 0 ? [] : [1 + rng.int(5), ...(trial % 2 === 0 ? [2] : [])];
      const numSegments = 1 + rng.int(6);
      const ids = Int32Array.from({ length: n }, () => rng.int(numSegments + 2) - 1);
      const x = randomNormal(rng, [n, ...inner]);
      await expectSameOnWasmAndCpu(
        () =>
          tf.unsortedSegmentSum(
            tf.tensor(x, [n, ...inner]),
            tf.tensor1d(ids, 'int32'),
            numSegments,
          ),
        1e-6,
        `n=${n} inner=[${inner}] segments=${numSegments}`,
      );
    }
    // int32 stays int32, as in TensorFlow (the CPU backend returns float32 here).
    await tf.setBackend('wasm');
    const sums = tf.unsortedSegmentSum(
      tf.tensor2d(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [3, 2],
        'int32',
      ),
      tf.tensor1d([1, 0, 1], 'int32'),
      2,
    );
    expect(sums.dtype).toBe('int32');
    expect(await sums.array()).toEqual([
      [3, 4],
      [6, 8],
    ]);
    sums.dispose();
  });

  it('makes the gradient of gather (embedding lookup) work and match the CPU', async () => {
    const rng = new Rng(12);
    const table = randomNormal(rng, [7, 3]);
    const ids = Int32Array.from([0, 3, 3, 6, 1, 3]);
    const w = randomNormal(rng, [6, 3]);
    await expectSameOnWasmAndCpu(
      () =>
        tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.gather(t, tf.tensor1d(ids, 'int32')), tf.tensor(w, [6, 3]))),
        )(tf.tensor(table, [7, 3])),
      1e-6,
      'gather grad',
    );
  });
});
