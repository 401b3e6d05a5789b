import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import { WASM_KERNEL_OVERRIDES } from '../../src-worker/backend/wasm-kernels/index';
import { copyWindow } from '../../src-worker/backend/wasm-kernels/window-copy';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

function randomShape(rng: Rng, rank: number, allowZero: boolean): number[] {
  return Array.from({ length: rank }, () => (allowZero && rng.int(8) === 0 ? 0 : 1 + rng.int(5)));
}

function values(rng: Rng, shape: number[], dtype: 'float32' | 'int32' | 'bool'): tf.Tensor {
  const v = randomNormal(rng, shape);
  if (dtype === 'float32') return tf.tensor(v, shape);
  if (dtype === 'int32')
    return tf.tensor(
      Int32Array.from(v, (x) => Math.round(x * 100)),
      shape,
      'int32',
    );
  return tf.tensor(
    Uint8Array.from(v, (x) => (x > 0 ? 1 : 0)),
    shape,
    'bool',
  );
}

describe('wasm Slice / SplitV / Unpack overrides', () => {
  it('are the registered wasm kernels', () => {
    for (const name of ['Slice', 'SplitV', 'Unpack']) {
      const ours = WASM_KERNEL_OVERRIDES.find((k) => k.kernelName === name);
      expect(tf.getKernel(name, 'wasm').kernelFunc, name).toBe(ours?.kernelFunc);
    }
  });

  it('copyWindow copies exactly the window, merging whole trailing dims', () => {
    const src = Int32Array.from({ length: 24 }, (_, i) => i); // [2, 3, 4]
    const dst = new Int32Array(6);
    copyWindow(src, [2, 3, 4], [1, 1, 1], [1, 2, 3], dst);
    expect(Array.from(dst)).toEqual([17, 18, 19, 21, 22, 23]);
    const whole = new Int32Array(8);
    copyWindow(src, [2, 3, 4], [0, 1, 0], [2, 1, 4], whole);
    expect(Array.from(whole)).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
  });

  it('Slice matches the CPU backend on random windows of rank 1–5 and every dtype', async () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 60; trial++) {
      const rank = 1 + rng.int(5);
      const shape = randomShape(rng, rank, true);
      const begin = shape.map((d) => rng.int(d + 1));
      const size = shape.map((d, i) => {
        const room = d - (begin[i] ?? 0);
        return rng.int(4) === 0 ? -1 : rng.int(room + 1);
      });
      const dtype = (['float32', 'int32', 'bool'] as const)[trial % 3] ?? 'float32';
      const seed = 100 + trial;
      await expectSameOnWasmAndCpu(
        () => tf.slice(values(new Rng(seed), shape, dtype), begin, size),
        0,
        `slice [${shape}] begin [${begin}] size [${size}] ${dtype}`,
      );
    }
  });

  it('SplitV matches the CPU backend along every axis, with empty parts and -1 sizes', async () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 30; trial++) {
      const rank = 1 + rng.int(4);
      const shape = randomShape(rng, rank, false);
      const axis = rng.int(rank) - (rng.int(2) === 0 ? rank : 0);
      const dim = shape[(axis + rank) % rank] ?? 1;
      const first = rng.int(dim + 1);
      const splits = trial % 2 === 0 ? [first, 0, dim - first] : [first, -1];
      const seed = 200 + trial;
      await expectSameOnWasmAndCpu(
        () => tf.split(values(new Rng(seed), shape, 'float32'), splits, axis),
        0,
        `split [${shape}] into [${splits}] on axis ${axis}`,
      );
    }
    await expectSameOnWasmAndCpu(
      () => tf.split(values(new Rng(9), [4, 6], 'int32'), 3, 1),
      0,
      'split in 3 equal parts',
    );
  });

  it('Unpack matches the CPU backend along every axis', async () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const rank = 1 + rng.int(4);
      const shape = randomShape(rng, rank, false);
      const axis = rng.int(rank);
      const seed = 300 + trial;
      await expectSameOnWasmAndCpu(
        () => tf.unstack(values(new Rng(seed), shape, 'float32'), axis),
        0,
        `unstack [${shape}] on axis ${axis}`,
      );
    }
  });

  it('gives the CPU gradient through a split of a fused projection', async () => {
    const rng = new Rng(6);
    const x = randomNormal(rng, [5, 12]);
    const w = randomNormal(rng, [5, 12]);
    await expectSameOnWasmAndCpu(
      () =>
        tf.grad((t: tf.Tensor) => {
          const [q, k, v] = tf.split(t, 3, 1); // 3 × [5, 4]
          return tf.sum(tf.mul(tf.mul(q as tf.Tensor, k as tf.Tensor), v as tf.Tensor));
        })(tf.mul(tf.tensor(x, [5, 12]), tf.tensor(w, [5, 12]))),
      1e-6,
      'split grad',
    );
  });
});
