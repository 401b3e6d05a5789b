/**
 * Greedy generation: the KV-cache path equals recomputing the whole sequence, EOS and stop
 * strings end decoding, and the cache leaks no tensors. The reference-id comparison with
 * PyTorch lives in reference.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greedyGenerate } from '../../src-worker/model/generate';
import { createRandomLlama, type LlamaModel } from '../../src-worker/model/llama';
import { findPreset } from '../../src-worker/model/presets';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { maxAbsDiff, useCpu } from './fixtures';

let model: LlamaModel;
beforeAll(async () => {
  await useCpu();
  model = createRandomLlama(findPreset('tiny-byte')!.config, 3);
});
afterAll(() => model.dispose());

describe('KV cache', () => {
  it('incremental logits equal full-sequence logits', async () => {
    const ids = [1, 72, 101, 108, 108, 111, 33];
    const full = model.logits(tf.tensor2d([ids], undefined, 'int32'));
    const first = model.logitsWithCache(tf.tensor2d([ids.slice(0, 4)], undefined, 'int32'), null);
    const second = model.logitsWithCache(
      tf.tensor2d([ids.slice(4)], undefined, 'int32'),
      first.cache,
    );
    expect(second.cache.length).toBe(7);
    const got = tf.concat([first.logits, second.logits], 1);
    expect(maxAbsDiff(await got.data(), await full.data())).toBeLessThan(1e-5);
    first.cache.dispose();
    second.cache.dispose();
    tf.dispose([full, first.logits, second.logits, got]);
  });

  it('greedy ids with the cache equal greedy ids without it', async () => {
    const prompt = [1, 84, 104, 101, 32];
    const a = await greedyGenerate(model, prompt, { maxNewTokens: 20, eosId: null });
    const b = await greedyGenerate(model, prompt, {
      maxNewTokens: 20,
      eosId: null,
      useCache: false,
    });
    expect(a.ids).toHaveLength(20);
    expect(a.ids).toEqual(b.ids);
    expect(a.stoppedBy).toBe('max_tokens');
  });

  it('leaks no tensors', async () => {
    await greedyGenerate(model, [1, 50], { maxNewTokens: 3 });
    const before = tf.memory().numTensors;
    await greedyGenerate(model, [1, 50, 51], { maxNewTokens: 6 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('stopping', () => {
  it('stops right after the EOS id and keeps it', async () => {
    const free = await greedyGenerate(model, [1, 84], { maxNewTokens: 6, eosId: null });
    const eos = free.ids[2] as number; // pretend the third generated id is EOS
    const r = await greedyGenerate(model, [1, 84], { maxNewTokens: 6, eosId: eos });
    expect(r.stoppedBy).toBe('eos');
    expect(r.ids).toEqual(free.ids.slice(0, free.ids.indexOf(eos) + 1));
  });

  it('stops when the decoded text contains a stop string', async () => {
    const tok = new ByteTokenizer();
    const free = await greedyGenerate(model, [1, 84], { maxNewTokens: 8, eosId: null });
    const text = tok.decode(free.ids.slice(0, 3));
    const stop = text.slice(-1);
    const r = await greedyGenerate(model, [1, 84], {
      maxNewTokens: 8,
      eosId: null,
      stopStrings: [stop],
      decode: (ids) => tok.decode(ids),
    });
    expect(r.stoppedBy).toBe('stop_string');
    expect(tok.decode(r.ids)).toContain(stop);
    expect(r.ids.length).toBeLessThanOrEqual(3);
  });
});
