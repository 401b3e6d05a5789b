import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import {
  PLW_SOFTMAX_GRAD,
  softmaxGradConfig,
} from '../../src-worker/backend/wasm-kernels/softmax-grad';
import { softmaxLastAxis } from '../../src-worker/model/softmax';
import { expectSameOnWasmAndCpu, randomNormal, runOn } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

/** Gradient of Σ softmax(x)·c (c fixed, so dy is not uniform) w.r.t. x. */
function gradOf(
  softmax: (x: tf.Tensor) => tf.Tensor,
  x: Float32Array,
  c: Float32Array,
  shape: number[],
) {
  return () =>
    tf.grad((t: tf.Tensor) => tf.sum(tf.mul(softmax(t), tf.tensor(c, shape))))(tf.tensor(x, shape));
}

describe('wasm PlwSoftmaxGrad (fused softmax backward)', () => {
  it('is registered on wasm only', () => {
    expect(tf.getKernel(PLW_SOFTMAX_GRAD, 'wasm')?.kernelFunc).toBe(softmaxGradConfig.kernelFunc);
    expect(tf.getKernel(PLW_SOFTMAX_GRAD, 'cpu')).toBeUndefined();
  });

  it("gives tf.softmax's own gradient, on SIMD rows (multiple of 4) and JS rows", async () => {
    let seed = 1;
    for (const shape of [
      [2, 3, 16, 256],
      [5, 7],
      [4, 1],
      [2, 6, 12],
      [3, 0],
    ]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const rng = new Rng(seed++);
      const x = randomNormal(rng, shape).map((v) => 4 * v);
      const c = randomNormal(rng, shape);
      // The fused kernel on wasm against the unfused formula on the CPU backend ...
      await expectSameOnWasmAndCpu(gradOf(softmaxLastAxis, x, c, shape), 1e-6, `[${shape}]`);
      // ... and that formula against autodiff through tf.softmax.
      const ours = await runOn('cpu', gradOf(softmaxLastAxis, x, c, shape));
      const stock = await runOn(
        'cpu',
        gradOf((t) => tf.softmax(t), x, c, shape),
      );
      const worst = stock[0]!.values.reduce(
        (m, v, i) => Math.max(m, Math.abs(v - (ours[0]!.values[i] ?? NaN))),
        0,
      );
      expect(worst, `[${shape}] vs tf.softmax`).toBeLessThanOrEqual(1e-7);
      expect(ours[0]!.values.length).toBe(size);
    }
  });

  it('leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([4, 8]);
    const g = () => tf.grad((t: tf.Tensor) => tf.sum(tf.square(softmaxLastAxis(t))))(x);
    tf.dispose(g());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(g());
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('PlwSoftmaxGrad on bad input', () => {
  it('names what is wrong when y and dy differ in shape or dtype', async () => {
    await tf.setBackend('wasm');
    const y = tf.ones([2, 4]);
    const run = (dy: tf.Tensor) => () => tf.engine().runKernel(PLW_SOFTMAX_GRAD, { y, dy });
    const msg = /PlwSoftmaxGrad: y and dy must be float32 tensors of one shape/;
    expect(run(tf.ones([2, 5]))).toThrow(msg);
    expect(run(tf.ones([2, 4], 'int32'))).toThrow(msg);
    tf.dispose(y);
  });
});
