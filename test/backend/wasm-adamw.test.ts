import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import {
  fusedAdamWAvailable,
  PLW_ADAMW,
  plwAdamWConfig,
} from '../../src-worker/backend/wasm-kernels/adamw';
import { AdamW } from '../../src-worker/train/adamw';
import { randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

const SHAPES: Record<string, number[]> = {
  'w.weight': [33, 5], // 165 elements: SIMD block plus a JS tail of 1
  'norm.weight': [7], // exempt from weight decay; 4 + 3
  'x.weight': [64, 16],
  'tiny.weight': [3], // JS tail only
};

/** Parameters after `steps` AdamW updates with seeded gradients, on `backend`. */
async function run(
  backend: 'cpu' | 'wasm',
  weightDecay: number,
  steps: number,
): Promise<{ fused: boolean; values: Map<string, number[]> }> {
  await tf.setBackend(backend);
  const rng = new Rng(5);
  const params = new Map(
    Object.entries(SHAPES).map(([n, s]) => [n, tf.variable(tf.tensor(randomNormal(rng, s), s))]),
  );
  const opt = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay });
  for (let step = 0; step < steps; step++) {
    const grads = new Map(
      Object.entries(SHAPES).map(([n, s]) => [
        n,
        tf.mul(tf.tensor(randomNormal(rng, s), s), step === 1 ? 1e-4 : 1) as tf.Tensor,
      ]),
    );
    opt.apply(grads, 1e-2 * (step + 1));
    tf.dispose([...grads.values()]);
  }
  const values = new Map<string, number[]>();
  for (const [n, p] of params) values.set(n, Array.from(p.dataSync()));
  const { m, v } = opt.state();
  for (const [n, t] of m) values.set(`m:${n}`, Array.from(t.dataSync()));
  for (const [n, t] of v) values.set(`v:${n}`, Array.from(t.dataSync()));
  tf.dispose([...m.values(), ...v.values()]);
  const fused = fusedAdamWAvailable();
  opt.dispose();
  tf.dispose([...params.values()]);
  return { fused, values };
}

describe('fused AdamW kernel on wasm (PlwAdamW)', () => {
  it('is registered on wasm only', async () => {
    expect(tf.getKernel(PLW_ADAMW, 'wasm')?.kernelFunc).toBe(plwAdamWConfig.kernelFunc);
    expect(tf.getKernel(PLW_ADAMW, 'cpu')).toBeUndefined();
    await tf.setBackend('wasm');
    expect(fusedAdamWAvailable()).toBe(true);
    await tf.setBackend('cpu');
    expect(fusedAdamWAvailable()).toBe(false);
  });

  for (const weightDecay of [0, 0.1]) {
    it(`gives the op-by-op CPU update's parameters, m and v (weight decay ${weightDecay})`, async () => {
      const cpu = await run('cpu', weightDecay, 3);
      const wasm = await run('wasm', weightDecay, 3);
      expect(cpu.fused).toBe(false);
      expect(wasm.fused).toBe(true);
      for (const [name, expected] of cpu.values) {
        const actual = wasm.values.get(name) ?? [];
        expect(actual.length, name).toBe(expected.length);
        const worst = expected.reduce(
          (w, e, i) => Math.max(w, Math.abs((actual[i] ?? NaN) - e) / Math.max(1e-3, Math.abs(e))),
          0,
        );
        expect(worst, name).toBeLessThanOrEqual(1e-6);
      }
    });
  }

  it('names what is wrong when p, g, m and v differ in shape', async () => {
    await tf.setBackend('wasm');
    const [p, m, v] = [tf.ones([4]), tf.zeros([4]), tf.zeros([4])];
    const g = tf.ones([5]);
    const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, decay: 1, stepSize: 1e-3, bc2Sqrt: 1 };
    expect(() =>
      tf.engine().runKernel(PLW_ADAMW, { p, g, m, v }, attrs as unknown as tf.NamedAttrMap),
    ).toThrow(/PlwAdamW: p, g, m and v must be float32 tensors of one shape/);
    tf.dispose([p, m, v, g]);
  });

  it('leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const p = tf.variable(tf.ones([10]));
    const opt = new AdamW(new Map([['p.weight', p]]));
    const g = tf.fill([10], 0.5);
    opt.apply(new Map([['p.weight', g]]), 1e-3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt.apply(new Map([['p.weight', g]]), 1e-3);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, g]);
    opt.dispose();
  });
});
