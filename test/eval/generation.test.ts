import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInstance, generateInstances } from '../../src-worker/eval/evaluate';
import { greedyGenerateBatch } from '../../src-worker/eval/generation';
import type { GenerationInstance } from '../../src-worker/eval/instances';
import { buildTranslationInstances } from '../../src-worker/eval/tasks/translation';
import { greedyGenerate } from '../../src-worker/model/generate';
import { createRandomLlama, type LlamaModel } from '../../src-worker/model/llama';
import { findPreset } from '../../src-worker/model/presets';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { useCpu } from './helpers';

const tok = new ByteTokenizer();
// Several prompts share a token length, so batches hold more than one row.
const SOURCES = [
  'Guten Tag.',
  'Danke sehr',
  'Wie geht es?',
  'Ich bin hier',
  'Hallo',
  'Welt!',
  'Das Haus ist rot.',
  'Der Hund schläft.',
  'Ja',
  'Nein, danke.',
];

describe('batched KV-cached greedy generation', () => {
  let model: LlamaModel;
  beforeAll(async () => {
    await useCpu();
    model = createRandomLlama(findPreset('tiny-byte')!.config, 11);
  });
  afterAll(() => model.dispose());

  it('computes the vocabulary projection only for the last positions asked for', async () => {
    const ids = tf.tensor2d(
      [tok.encode('Guten Tag, Welt'), tok.encode('Danke sehr Welt')],
      undefined,
      'int32',
    );
    const full = model.logitsWithCache(ids, null);
    const last = model.logitsWithCache(ids, null, 3);
    const t = ids.shape[1];
    expect(last.logits.shape).toEqual([2, 3, model.config.vocabSize]);
    const want = Array.from(await tf.slice(full.logits, [0, t - 3, 0], [2, 3, -1]).data());
    const got = Array.from(await last.logits.data());
    expect(got).toEqual(want);
    expect(last.cache.length).toBe(t);
    tf.dispose([ids, full.logits, last.logits]);
    full.cache.dispose();
    last.cache.dispose();
  });

  it('chooses the tokens of one-by-one greedy decoding, rows leaving at EOS, stop strings or the cap', async () => {
    const prompts = SOURCES.map((s) => tok.encode(`Translate: ${s}\n`));
    const free = await Promise.all(
      prompts.map((p) => greedyGenerate(model, p, { maxNewTokens: 10, eosId: null })),
    );
    // Stops the random model actually hits: an id one output emits as "EOS", a string another decodes to.
    const eosId = free[0]?.ids[3] as number;
    const stop = tok.decode([free[1]?.ids[5] as number]);
    const options = {
      maxNewTokens: 10,
      eosId,
      stopStrings: [stop],
      decode: (ids: readonly number[]) => tok.decode(ids),
    };
    const single = [];
    for (const p of prompts) single.push((await greedyGenerate(model, p, options)).ids);
    expect(single.some((ids) => ids.length < 10)).toBe(true);
    for (const batchSize of [1, 3, 16]) {
      const { outputs, stats } = await greedyGenerateBatch(model, prompts, {
        ...options,
        batchSize,
      });
      expect(outputs).toEqual(single);
      expect(stats.generated).toBe(single.reduce((a, ids) => a + ids.length, 0));
      if (batchSize === 16)
        expect(stats.forwards).toBeLessThan(single.reduce((a, ids) => a + ids.length, 0));
    }
  });

  it('translation instances: predictions cut at the newline equal generateInstance, in document order', async () => {
    const instances: GenerationInstance[] = buildTranslationInstances(
      SOURCES.map((s) => ({ source: s, reference: s })),
      { src: 'de', tgt: 'en' },
    );
    const seen: number[] = [];
    const { samples } = await generateInstances(model, tok, instances, {
      maxNewTokens: 8,
      batchSize: 4,
      onProgress: (d) => seen.push(d),
    });
    const one = [];
    for (const inst of instances) one.push(await generateInstance(model, tok, inst, 8));
    expect(samples).toEqual(one);
    expect(seen).toEqual(SOURCES.map((_, i) => i + 1));
    expect(samples.every((s) => !s.prediction.includes('\n'))).toBe(true);
  });
});
