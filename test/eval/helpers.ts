import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, type LoadedModel } from '../../src-worker/model/load';
import type { Tokenizer } from '../../src-worker/tokenizers/types';
import { buildFormulaCheckpoint } from '../model/formula-checkpoint';

/** The plain CPU backend: same numbers on every machine, no worker threads in tests. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * The 32000-vocabulary "formula" LLaMA of test/reference/torch with the real LLaMA
 * SentencePiece tokenizer (shared data), loaded through `loadModel` as `plw eval` does.
 */
export async function loadFormulaModel(): Promise<LoadedModel & { tokenizer: Tokenizer }> {
  const dir = buildFormulaCheckpoint(join(mkdtempSync(join(tmpdir(), 'plw-eval-model-')), 'm'));
  const loaded = await loadModel(dir);
  if (loaded.tokenizer === null) throw new Error('formula checkpoint has no tokenizer');
  return { ...loaded, tokenizer: loaded.tokenizer };
}
