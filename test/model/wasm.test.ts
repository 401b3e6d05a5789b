/**
 * The model and loss on the WASM backend (with the project's kernel overrides) against the
 * same PyTorch reference as the CPU tests: logits, the PLW loss and the gradient norm, which
 * goes through the embedding's backward pass (UnsortedSegmentSum or the one-hot fallback).
 * Caught: tfjs-wasm's OneHot ignoring a float32 dtype (see src-worker/model/one-hot.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src-worker/backend/index';
import { loadHfModel } from '../../src-worker/model/checkpoint';
import type { LlamaModel } from '../../src-worker/model/llama';
import { oneHotFloat } from '../../src-worker/model/one-hot';
import { collate } from '../../src-worker/train/collate';
import { ensureGradients } from '../../src-worker/train/gradients';
import { batchLossSums, lossFromSums, lossTargetsOf, plwLoss } from '../../src-worker/train/loss';
import { expectRelClose, fixtureDir, maxAbsDiff, REFERENCE } from './fixtures';

let model: LlamaModel;
beforeAll(async () => {
  await initBackend({ backend: 'wasm-xnnpack', threads: 1 }); // the fallback path, against PyTorch
  await ensureGradients();
  expect(tf.getBackend()).toBe('wasm');
  model = loadHfModel(fixtureDir('llama-untied-f32')).model;
});
afterAll(() => model.dispose());

it('oneHotFloat is exact', async () => {
  const hot = oneHotFloat(tf.tensor1d([2, 0, 1], 'int32'), 3);
  expect(Array.from(await hot.data())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  hot.dispose();
});

it('logits equal the PyTorch reference (1e-4)', async () => {
  const ids = tf.tensor2d(REFERENCE.logitsIds, undefined, 'int32');
  const logits = model.logits(ids);
  expect(maxAbsDiff(await logits.data(), REFERENCE.models['llama-untied-f32'].logits)).toBeLessThan(
    1e-4,
  );
  tf.dispose([ids, logits]);
});

it('PLW 0.1 loss and gradient norm equal the reference', async () => {
  const mb = collate(REFERENCE.examples, 0.1, REFERENCE.padId);
  const ref = REFERENCE.models['llama-untied-f32'].losses['0.1'];
  const got = lossFromSums(await batchLossSums(model, mb));
  expectRelClose(got.loss, ref.loss, 1e-5, 'loss');
  expectRelClose(got.completionLoss, ref.completionLoss, 1e-5, 'completion loss');
  const norm = tf.tidy(() => {
    const inputs = lossTargetsOf(mb);
    const { grads } = tf.variableGrads(() => plwLoss(model.logits(inputs.ids), inputs).loss);
    return tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  });
  const value = (await norm.data())[0] as number;
  norm.dispose();
  expect(Math.abs(value / REFERENCE['gradNormPlw0.1'] - 1)).toBeLessThan(1e-5);
});
