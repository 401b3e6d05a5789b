/**
 * The PLW loss's own properties: hand-written gradients equal autodiff through logSoftmax,
 * PLW 0 is completion-only masked training, PLW 1 is the plain LM loss over every real target,
 * batching does not change dataset figures, and forward/backward leaks no tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHfModel } from '../../src-worker/model/checkpoint';
import { oneHotFloat } from '../../src-worker/model/one-hot';
import type { LlamaModel } from '../../src-worker/model/llama';
import { collate } from '../../src-worker/train/collate';
import {
  addSums,
  batchLossSums,
  lossFromSums,
  lossTargetsOf,
  plwLoss,
  tokenCrossEntropy,
  weightedCrossEntropy,
  ZERO_SUMS,
} from '../../src-worker/train/loss';
import { Rng } from '../../src-shared/random';
import { fixtureDir, maxAbsDiff, REFERENCE, useCpu } from './fixtures';

let model: LlamaModel;
beforeAll(async () => {
  await useCpu();
  model = loadHfModel(fixtureDir('llama-tied-f32')).model;
});
afterAll(() => model.dispose());

function randomCase(n: number, v: number, seed: number) {
  const rng = new Rng(seed);
  const logits = tf.tensor2d(
    Array.from({ length: n * v }, () => 3 * rng.normal()),
    [n, v],
  );
  const targets = Array.from({ length: n }, () => rng.int(v));
  const oneHot = oneHotFloat(tf.tensor1d(targets, 'int32'), v);
  const weights = tf.tensor1d(Array.from({ length: n }, (_, i) => [0, 0.25, 1][i % 3] as number));
  return { logits, oneHot, weights };
}

/** Σw·CE/Σw by autodiff through logSoftmax: the reference for the hand-written gradients. */
const autodiffLoss = (x: tf.Tensor2D, oneHot: tf.Tensor2D, w: tf.Tensor1D): tf.Scalar =>
  tf.div(tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(x), oneHot), -1), w))), tf.sum(w));

describe('hand-written cross-entropy gradients', () => {
  it('fused weightedCrossEntropy: value and gradient equal autodiff', async () => {
    const { logits, oneHot, weights } = randomCase(12, 37, 1);
    const a = tf.valueAndGrad((x: tf.Tensor) =>
      weightedCrossEntropy(x as tf.Tensor2D, oneHot, weights),
    )(logits);
    const b = tf.valueAndGrad((x: tf.Tensor) => autodiffLoss(x as tf.Tensor2D, oneHot, weights))(
      logits,
    );
    expect(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(await a.grad.data(), await b.grad.data())).toBeLessThan(1e-6);
    // and the gradient is not trivially zero
    expect(maxAbsDiff(await a.grad.data(), new Float32Array(12 * 37))).toBeGreaterThan(1e-3);
    tf.dispose([logits, oneHot, weights, a.value, a.grad, b.value, b.grad]);
  });

  it('tokenCrossEntropy weighted by w equals autodiff', async () => {
    const { logits, oneHot, weights } = randomCase(10, 23, 2);
    const f = (x: tf.Tensor) =>
      tf.div(
        tf.sum(tf.mul(tokenCrossEntropy(x as tf.Tensor2D, oneHot), weights)),
        tf.sum(weights),
      ) as tf.Scalar;
    const a = tf.valueAndGrad(f)(logits);
    const b = tf.valueAndGrad((x: tf.Tensor) => autodiffLoss(x as tf.Tensor2D, oneHot, weights))(
      logits,
    );
    expect(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!)).toBeLessThan(1e-5);
    expect(maxAbsDiff(await a.grad.data(), await b.grad.data())).toBeLessThan(1e-6);
    tf.dispose([logits, oneHot, weights, a.value, a.grad, b.value, b.grad]);
  });

  it('tokenCrossEntropy stays exact where the target is far below the maximum (CE ≈ 300)', async () => {
    // Row 0: target logit −200 against a max of 100 (p_target underflows float32); row 1:
    // ties at the maximum; row 2: the target is the maximum. Reference: float64 by hand.
    const rows = [
      [100, -200, 3, 99.5],
      [7, 7, 7, -1],
      [0.5, -0.25, 12, 11],
    ];
    const targets = [1, 3, 2];
    const expected = rows.map((r, i) => {
      const m = Math.max(...r);
      return m + Math.log(r.reduce((s, x) => s + Math.exp(x - m), 0)) - (r[targets[i]!] as number);
    });
    const logits = tf.tensor2d(rows);
    const oneHot = oneHotFloat(tf.tensor1d(targets, 'int32'), 4);
    const ce = await tokenCrossEntropy(logits, oneHot).data();
    for (let i = 0; i < rows.length; i++) {
      expect(Math.abs((ce[i] ?? NaN) - (expected[i] ?? 0)), `row ${i}`).toBeLessThan(
        1e-6 * Math.max(1, expected[i] ?? 0),
      );
    }
    expect(expected[0]).toBeGreaterThan(300);
    tf.dispose([logits, oneHot]);
  });

  it('model gradients through plwLoss equal autodiff through logSoftmax', async () => {
    const mb = collate(REFERENCE.examples, 0.1, REFERENCE.padId);
    const grads = (useCustom: boolean) =>
      tf.tidy(() => {
        const inputs = lossTargetsOf(mb);
        return tf.variableGrads(() => {
          const logits = model.logits(inputs.ids);
          if (useCustom) return plwLoss(logits, inputs).loss;
          const [b, t, v] = logits.shape;
          const oneHot = oneHotFloat(tf.reshape(inputs.targets, [b * t]) as tf.Tensor1D, v);
          return autodiffLoss(
            tf.reshape(logits, [b * t, v]),
            oneHot,
            tf.reshape(inputs.weights, [b * t]),
          );
        }).grads;
      });
    const a = grads(true);
    const b = grads(false);
    for (const name of Object.keys(b)) {
      expect(maxAbsDiff(await a[name]!.data(), await b[name]!.data()), name).toBeLessThan(1e-6);
    }
    tf.dispose([a, b]);
  });
});

describe('PLW extremes (docs/METHOD.md "Loss")', () => {
  const sums = async (plw: number) =>
    lossFromSums(await batchLossSums(model, collate(REFERENCE.examples, plw, REFERENCE.padId)));

  it('PLW 0 equals completion-only masking', async () => {
    const got = await sums(0);
    expect(got.loss).toBeCloseTo(got.completionLoss as number, 6);
    // loss with weights := completion mask, computed independently of the weights array
    const mb = collate(REFERENCE.examples, 0, REFERENCE.padId);
    const masked = tf.tidy(() => {
      const inputs = lossTargetsOf(mb);
      return plwLoss(model.logits(inputs.ids), { ...inputs, weights: inputs.completionMask }).loss;
    });
    expect(got.loss).toBeCloseTo(masked.dataSync()[0] as number, 6);
    masked.dispose();
  });

  it('PLW 1 equals the plain LM loss over all real targets', async () => {
    const got = await sums(1);
    const n = got.promptTargets + got.completionTargets;
    const plain =
      ((got.promptLoss as number) * got.promptTargets +
        (got.completionLoss as number) * got.completionTargets) /
      n;
    expect(got.loss).toBeCloseTo(plain, 5);
    expect(got.promptLoss).not.toBeCloseTo(got.completionLoss as number, 2);
  });

  it('the loss moves monotonically from the completion loss to the plain loss', async () => {
    const values = await Promise.all([0, 0.01, 0.1, 0.5, 1].map(async (p) => (await sums(p)).loss));
    const diffs = values.slice(1).map((v, i) => v - (values[i] as number));
    const sign = Math.sign(diffs[0] as number);
    expect(sign).not.toBe(0);
    for (const d of diffs) expect(Math.sign(d)).toBe(sign);
  });

  it('a micro-batch with no weighted target has loss 0, not NaN', async () => {
    const mb = collate([{ ids: [1, 60, 61, 62], promptLen: 4 }], 0, REFERENCE.padId);
    const got = lossFromSums(await batchLossSums(model, mb));
    expect(got.loss).toBe(0);
    expect(got.completionLoss).toBeNull();
    expect(got.promptTargets).toBe(3);
  });

  it('dataset figures do not depend on the batch size', async () => {
    const whole = await sums(0.1);
    let s = ZERO_SUMS;
    for (const ex of REFERENCE.examples) {
      s = addSums(s, await batchLossSums(model, collate([ex], 0.1, REFERENCE.padId)));
    }
    const split = lossFromSums(s);
    expect(split.loss).toBeCloseTo(whole.loss, 5);
    expect(split.promptLoss).toBeCloseTo(whole.promptLoss as number, 5);
    expect(split.completionTargets).toBe(whole.completionTargets);
  });
});

describe('tensor hygiene', () => {
  it('tf.memory().numTensors stays flat across forward/backward steps', () => {
    const mb = collate(REFERENCE.examples, 0.1, REFERENCE.padId);
    const step = () => {
      const { value, grads } = tf.tidy(() => {
        const inputs = lossTargetsOf(mb);
        return tf.variableGrads(() => plwLoss(model.logits(inputs.ids), inputs).loss);
      });
      tf.dispose([value, grads]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
