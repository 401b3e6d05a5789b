/**
 * Builds the 32000-vocabulary LLaMA checkpoint whose weights follow a formula shared with
 * test/reference/torch/make_fixtures.py (`formula_params`), so tests can use the real LLaMA
 * SentencePiece tokenizer with a model whose PyTorch outputs are known, without checking in
 * a 2 MB weights file. Element i of the k-th parameter (in `parameterShapes` order) is an
 * integer hash of (i, k) mapped to uniform [-0.1, 0.1); norm weights are 1.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFromHf } from '../../src-worker/model/config';
import { parameterShapes, type HostTensor } from '../../src-worker/model/llama';
import { writeSafetensors } from '../../src-worker/model/safetensors';
import { sharedData } from '../helpers/paths';
import reference from '../reference/torch/fixtures/reference.json';

export const FORMULA_REFERENCE = reference.formulaModel;

/** make_fixtures.py's `formula_hash`: arithmetic mod 2^32, exact in both languages. */
function formulaHash(i: number, k: number): number {
  let h = (Math.imul(i, 0x9e3779b1) + Math.imul(k + 1, 0x85ebca77)) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h = (h ^ (h >>> 12)) >>> 0;
  h = Math.imul(h, 0x297a2d39) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Writes config.json, model.safetensors and (by default) a copy of the shared LLaMA
 * tokenizer.model into `dir`; returns `dir`.
 */
export function buildFormulaCheckpoint(dir: string, withTokenizer = true): string {
  mkdirSync(dir, { recursive: true });
  const hf = FORMULA_REFERENCE.config;
  const config = configFromHf(hf, 'formula config');
  const tensors = new Map<string, HostTensor>();
  let k = 0;
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, s) => a * s, 1);
    const data = new Float32Array(size);
    if (name.endsWith('norm.weight')) data.fill(1);
    else for (let i = 0; i < size; i++) data[i] = (formulaHash(i, k) / 2 ** 32 - 0.5) * 0.2;
    tensors.set(name, { shape, data });
    k++;
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hf, null, 2));
  writeSafetensors(join(dir, 'model.safetensors'), tensors);
  if (withTokenizer) copyFileSync(sharedData('tokenizer.model'), join(dir, 'tokenizer.model'));
  return dir;
}
