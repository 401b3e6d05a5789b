import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADAMW } from '../../src-worker/train/adamw';

import { Trainer, type TrainerConfig } from '../../src-worker/train/trainer';
import { autodiffLoss, micro, shortExamples, tinyModel, useCpu } from './helpers';

const config = (lr: number): TrainerConfig => ({
  schedule: { kind: 'constant', lr, totalSteps: 100, warmupSteps: 0 },
  adamw: DEFAULT_ADAMW,
  clip: 1.0,
});

beforeAll(useCpu);

describe('Trainer', () => {
  it('accumulated micro-batch gradients equal the full-batch gradient', async () => {
    const ex = shortExamples(6);
    const plw = 0.3;
    const model = tinyModel(3);
    const trainer = new Trainer(model, autodiffLoss, config(1e-3));
    const full = await trainer.gradients([micro(ex, plw)]);
    // Uneven split: micro-batches with different weight sums and padded lengths.
    const split = await trainer.gradients([micro(ex.slice(0, 1), plw), micro(ex.slice(1), plw)]);
    expect(split.loss).toBeCloseTo(full.loss, 5);
    expect(split.promptLoss).toBeCloseTo(full.promptLoss as number, 5);
    expect(split.completionLoss).toBeCloseTo(full.completionLoss as number, 5);
    let maxDiff = 0;
    let maxAbs = 0;
    full.grads.forEach((g, i) => {
      const a = g.dataSync();
      const b = (split.grads[i] as tf.Tensor).dataSync();
      for (let j = 0; j < a.length; j++) {
        maxDiff = Math.max(maxDiff, Math.abs((a[j] as number) - (b[j] as number)));
        maxAbs = Math.max(maxAbs, Math.abs(a[j] as number));
      }
    });
    expect(maxAbs).toBeGreaterThan(1e-3);
    expect(maxDiff).toBeLessThan(1e-5 * Math.max(1, maxAbs));
    // A naive mean of micro-batch losses would differ: the split is deliberately uneven.
    const naive =
      ((await trainer.gradients([micro(ex.slice(0, 1), plw)])).loss +
        (await trainer.gradients([micro(ex.slice(1), plw)])).loss) /
      2;
    expect(Math.abs(naive - full.loss)).toBeGreaterThan(1e-3);
    tf.dispose([...full.grads, ...split.grads]);
    trainer.dispose();
    model.dispose();
  });

  it('overfits one batch', async () => {
    const model = tinyModel(5);
    const trainer = new Trainer(model, autodiffLoss, config(1e-2));
    const batch = [micro(shortExamples(4), 1)];
    const first = (await trainer.step(batch)).loss;
    let last = first;
    for (let i = 0; i < 60; i++) last = (await trainer.step(batch)).loss;
    expect(first).toBeGreaterThan(4); // ≈ ln(259) at init
    expect(last).toBeLessThan(first * 0.25);
    trainer.dispose();
    model.dispose();
  });

  it('keeps the tensor count flat across steps (with accumulation and clipping)', async () => {
    const model = tinyModel(6);
    const trainer = new Trainer(model, autodiffLoss, config(1e-3));
    const ex = shortExamples(5);
    const batch = [micro(ex.slice(0, 2), 0.5), micro(ex.slice(2), 0.5)];
    await trainer.step(batch);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await trainer.step(batch);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    model.dispose();
  });

  it('stops with "loss diverged at step N" when the loss becomes NaN/Inf', async () => {
    const model = tinyModel(7);
    const cfg: TrainerConfig = { ...config(1e6), clip: 0 };
    const trainer = new Trainer(model, autodiffLoss, cfg);
    const batch = [micro(shortExamples(4), 1)];
    let error: unknown;
    let steps = 0;
    try {
      for (; steps < 50; steps++) await trainer.step(batch);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `loss diverged at step ${steps + 1}; try a lower learning rate`,
    );
    trainer.dispose();
    model.dispose();
  });
});
