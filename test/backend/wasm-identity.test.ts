import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-worker/backend/index';
import { expectSameOnWasmAndCpu } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

describe('wasm Identity / Cast overrides', () => {
  it('clone and same-dtype cast share the buffer instead of copying it', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const buffers = tf.memory().numDataBuffers;
    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    // The shared buffer outlives the original tensor.
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3, 4]);
    same.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it('casts between dtypes like the CPU backend', async () => {
    const v = [-2.7, -0.5, 0, 0.4, 256, 3.9];
    for (const [from, to] of [
      ['float32', 'int32'],
      ['float32', 'bool'],
      ['int32', 'float32'],
      ['bool', 'float32'],
      ['int32', 'int32'],
      ['bool', 'bool'],
    ] as const) {
      await expectSameOnWasmAndCpu(
        () => tf.cast(tf.cast(tf.tensor(v, [2, 3]), from), to),
        0,
        `${from} → ${to}`,
      );
    }
  });

  it('keeps gradients through clone and cast', async () => {
    await expectSameOnWasmAndCpu(
      () =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.cast(tf.clone(t), 'float32'))))(
          tf.tensor([1, -2, 3], [3]),
        ),
      0,
      'grad',
    );
  });
});
