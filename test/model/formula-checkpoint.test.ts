/**
 * The 32000-vocabulary checkpoint built from the formula shared with make_fixtures.py loads
 * with the real LLaMA SentencePiece tokenizer and reproduces PyTorch's outputs, so evaluation
 * tests can rely on it (buildFormulaCheckpoint).
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { greedyGenerate } from '../../src-worker/model/generate';
import { loadModel, type LoadedModel } from '../../src-worker/model/load';
import { buildFormulaCheckpoint, FORMULA_REFERENCE } from './formula-checkpoint';
import { useNativeBackend } from './fixtures';

let tmp: string;
let loaded: LoadedModel;
beforeAll(async () => {
  await useNativeBackend();
  tmp = mkdtempSync(join(tmpdir(), 'plw-formula-'));
  loaded = await loadModel(buildFormulaCheckpoint(join(tmp, 'llama-vocab')));
});
afterAll(() => {
  loaded.model.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

it('loads with the SentencePiece tokenizer', () => {
  expect(loaded.tokenizer?.kind).toBe('sentencepiece');
  expect(loaded.tokenizer?.vocabSize).toBe(32000);
  expect(loaded.model.config.vocabSize).toBe(32000);
});

it('last-position logits equal PyTorch (top 5 ids and values, logsumexp; 1e-4)', async () => {
  const ids = FORMULA_REFERENCE.ids;
  const logits = loaded.model.logits(tf.tensor2d([ids], undefined, 'int32'));
  const v = 32000;
  const last = ((await logits.data()) as Float32Array).slice((ids.length - 1) * v, ids.length * v);
  logits.dispose();
  const order = Array.from(last.keys()).sort((a, b) => (last[b] as number) - (last[a] as number));
  expect(order.slice(0, 5)).toEqual(FORMULA_REFERENCE.lastTopIds);
  FORMULA_REFERENCE.lastTopIds.forEach((id, i) =>
    expect(
      Math.abs((last[id] as number) - (FORMULA_REFERENCE.lastTopLogits[i] as number)),
    ).toBeLessThan(1e-4),
  );
  const max = Math.max(...last);
  const lse = max + Math.log(last.reduce((s, x) => s + Math.exp(x - max), 0));
  expect(Math.abs(lse - FORMULA_REFERENCE.lastLogsumexp)).toBeLessThan(1e-4);
});

it('greedy ids equal PyTorch', async () => {
  const r = await greedyGenerate(loaded.model, FORMULA_REFERENCE.ids, { maxNewTokens: 5 });
  expect(r.ids).toEqual(FORMULA_REFERENCE.greedyIds);
});
