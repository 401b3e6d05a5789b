/**
 * The split causal attention (src-worker/model/llama.ts: whole sequences of at least
 * SPLIT_ATTENTION_MIN positions skip the masked quarter of the scores) gives the values and
 * gradients of the fully masked attention, directly and through a whole GQA model, on the CPU
 * backend and on wasm with the kernel overrides. The masked path itself is checked against
 * PyTorch in reference.test.ts and wasm.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import {
  attend,
  causalAttentionSplit,
  causalMask,
  createRandomLlama,
  SPLIT_ATTENTION_MIN,
} from '../../src-worker/model/llama';
import type { ModelConfig } from '../../src-worker/model/types';
import { maxAbsDiff } from './fixtures';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

const BACKENDS = ['cpu', 'wasm'] as const;

function normal(rng: Rng, shape: [number, number, number, number]): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}

describe('split causal attention', () => {
  for (const backend of BACKENDS) {
    it(`equals the fully masked attention, values and gradients (${backend}, GQA, odd T)`, async () => {
      await tf.setBackend(backend);
      const [b, kv, g, t, hd] = [2, 2, 2, 67, 8];
      const rng = new Rng(3);
      const q = normal(rng, [b, kv, g * t, hd]);
      const k = normal(rng, [b, kv, t, hd]);
      const v = normal(rng, [b, kv, t, hd]);
      const c = normal(rng, [b, kv, g * t, hd]); // fixes a non-uniform upstream gradient
      const mask = causalMask(t, 0, g);
      const loss =
        (f: (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor4D) =>
        (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
          tf.sum(tf.mul(f(qq as tf.Tensor4D, kk as tf.Tensor4D, vv as tf.Tensor4D), c));
      const split = tf.tidy(() => causalAttentionSplit(q, k, v, g));
      const full = tf.tidy(() => attend(q, k, v, mask));
      expect(split.shape).toEqual(full.shape);
      expect(maxAbsDiff(await split.data(), await full.data())).toBeLessThan(1e-5);
      const gSplit = tf.grads(loss((qq, kk, vv) => causalAttentionSplit(qq, kk, vv, g)))([q, k, v]);
      const gFull = tf.grads(loss((qq, kk, vv) => attend(qq, kk, vv, mask)))([q, k, v]);
      for (let i = 0; i < 3; i++) {
        const diff = maxAbsDiff(await gSplit[i]!.data(), await gFull[i]!.data());
        expect(diff, `gradient ${'qkv'[i]}`).toBeLessThan(1e-5);
      }
      // The first positions only see the first half of the keys: changing the last value row
      // must not move them (a wrong mask in the split would leak it).
      const v2 = tf.tidy(() =>
        tf.concat([tf.slice(v, 0, [b, kv, t - 1, hd]), tf.fill([b, kv, 1, hd], 50)], 2),
      );
      const moved = tf.tidy(() => causalAttentionSplit(q, k, v2 as tf.Tensor4D, g));
      const firstRows = (x: tf.Tensor) => tf.slice(x, [0, 0, 0, 0], [b, kv, t - 1, hd]);
      expect(maxAbsDiff(await firstRows(moved).data(), await firstRows(split).data())).toBeLessThan(
        1e-6,
      );
      tf.dispose([q, k, v, c, mask, split, full, moved, v2, ...gSplit, ...gFull]);
    });
  }

  const CONFIG: ModelConfig = {
    vocabSize: 50,
    hiddenSize: 32,
    intermediateSize: 48,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    maxPositionEmbeddings: 128,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: false,
    bosTokenId: 1,
    eosTokenId: 2,
    padTokenId: 0,
  };

  for (const backend of BACKENDS) {
    it(`a whole sequence's logits equal the KV-cached, masked path's (${backend})`, async () => {
      await tf.setBackend(backend);
      const model = createRandomLlama(CONFIG, 7);
      const t = 90;
      expect(t).toBeGreaterThanOrEqual(SPLIT_ATTENTION_MIN);
      const rng = new Rng(11);
      const ids = Array.from({ length: 2 * t }, () => 3 + rng.int(CONFIG.vocabSize - 3));
      const whole = model.logits(tf.tensor2d(ids, [2, t], 'int32')); // split attention
      // 40 then 50 positions: both chunks shorter than the split threshold or cached.
      const row = (r: number, from: number, to: number) => ids.slice(r * t + from, r * t + to);
      const first = model.logitsWithCache(
        tf.tensor2d([...row(0, 0, 40), ...row(1, 0, 40)], [2, 40], 'int32'),
        null,
      );
      const second = model.logitsWithCache(
        tf.tensor2d([...row(0, 40, t), ...row(1, 40, t)], [2, t - 40], 'int32'),
        first.cache,
      );
      const stitched = tf.concat([first.logits, second.logits], 1);
      expect(maxAbsDiff(await whole.data(), await stitched.data())).toBeLessThan(1e-4);
      tf.dispose([whole, first.logits, second.logits, stitched]);
      first.cache.dispose();
      second.cache.dispose();
      model.dispose();
    });
  }
});
