/**
 * "Overfits one batch": a tiny model trained on one fixed batch with Adam drives the PLW loss
 * close to zero, so gradients flow to every parameter that matters (embeddings through the
 * hand-written gather gradient, tied head, attention, MLP, norms).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { createRandomLlama } from '../../src-worker/model/llama';
import type { ModelConfig } from '../../src-worker/model/types';
import { collate } from '../../src-worker/train/collate';
import { lossTargetsOf, plwLoss } from '../../src-worker/train/loss';
import { useCpu } from './fixtures';

const CONFIG: ModelConfig = {
  vocabSize: 40,
  hiddenSize: 32,
  intermediateSize: 64,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 2,
  maxPositionEmbeddings: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
  bosTokenId: 1,
  eosTokenId: 2,
  padTokenId: 0,
};

beforeAll(useCpu);

it('drives the loss of one batch from ~ln(V) to near zero', async () => {
  const model = createRandomLlama(CONFIG, 5);
  const examples = [
    { ids: [1, 10, 11, 12, 20, 21, 22, 23, 2], promptLen: 4 },
    { ids: [1, 30, 31, 25, 26, 2], promptLen: 3 },
  ];
  // PLW 0: the first prompt targets (after BOS) are ambiguous across rows, the rest is not.
  const mb = collate(examples, 0, 0);
  const inputs = lossTargetsOf(mb);
  const optimizer = tf.train.adam(0.02);
  const vars = [...model.params.values()];
  const lossAt = () =>
    tf.tidy(() => plwLoss(model.logits(inputs.ids), inputs).loss.dataSync()[0] as number);
  const first = lossAt();
  for (let i = 0; i < 60; i++) {
    tf.tidy(() => {
      optimizer.minimize(() => plwLoss(model.logits(inputs.ids), inputs).loss, false, vars);
    });
  }
  const last = lossAt();
  expect(first).toBeGreaterThan(3); // ln(40) ≈ 3.7 at init
  expect(last).toBeLessThan(0.1);
  optimizer.dispose();
  tf.dispose(Object.values(inputs));
  model.dispose();
});
