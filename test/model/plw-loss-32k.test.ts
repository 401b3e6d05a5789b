/**
 * The reported PLW loss against float64 PyTorch (test/reference/torch/make_plw_loss_reference.py):
 * the 32000-vocabulary formula LLaMA with the real LLaMA tokenizer on 8 Alpaca seed tasks
 * (max length 128), on the WASM backend with OpenBLAS products where plw-blas is built. Every
 * PLW's loss within 2e-6 of float64 (PyTorch's own float32 value is up to 7e-7 off here), and
 * the loss is the weighted mean of the reported prompt and completion losses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../src-worker/model/load';
import { collate } from '../../src-worker/train/collate';
import { encodeExample } from '../../src-worker/train/examples';
import { addSums, batchLossSums, lossFromSums, ZERO_SUMS } from '../../src-worker/train/loss';
import reference from '../reference/torch/fixtures/plw-loss-32k.json';
import { buildFormulaCheckpoint } from './formula-checkpoint';
import { useNativeBackend } from './fixtures';

let tmp: string;
let loaded: LoadedModel;
beforeAll(async () => {
  await useNativeBackend();
  tmp = mkdtempSync(join(tmpdir(), 'plw-loss-32k-'));
  loaded = await loadModel(buildFormulaCheckpoint(join(tmp, 'llama-vocab')));
});
afterAll(() => {
  loaded.model.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

function examples() {
  const tokenizer = loaded.tokenizer;
  if (tokenizer === null || tokenizer === undefined)
    throw new Error('the formula checkpoint has no tokenizer');
  return reference.records.map((r) => encodeExample(r, tokenizer, reference.maxLength));
}

it('encodes the 8 seed tasks into the ids the reference used', () => {
  expect(examples()).toEqual(reference.examples);
});

it.each(Object.keys(reference.losses))('PLW %s: loss within 2e-6 of float64', async (plw) => {
  const ref = reference.losses[plw as keyof typeof reference.losses];
  // Two micro-batches of four (the 32000-wide logits of all eight take ~130 MB at once).
  const all = examples();
  let sums = ZERO_SUMS;
  for (const part of [all.slice(0, 4), all.slice(4)]) {
    sums = addSums(sums, await batchLossSums(loaded.model, collate(part, Number(plw), 0)));
  }
  const got = lossFromSums(sums);
  if (process.env.PLW_PRINT_ERRORS)
    console.log(`PLW ${plw}: loss error ${(got.loss - ref.loss).toExponential(2)}`);
  expect(Math.abs(got.loss - ref.loss), `loss ${got.loss} vs ${ref.loss}`).toBeLessThan(2e-6);
  expect(Math.abs((got.promptLoss ?? NaN) - ref.promptLoss)).toBeLessThan(2e-6);
  expect(Math.abs((got.completionLoss ?? NaN) - ref.completionLoss)).toBeLessThan(2e-6);
  expect([got.promptTargets, got.completionTargets]).toEqual([
    ref.promptTargets,
    ref.completionTargets,
  ]);
  // The loss is the mean of the two reported losses weighted by PLW·prompt and completion
  // targets (the weights are float32, as the trainer's are).
  const w = Math.fround(Number(plw)) * got.promptTargets;
  const mean =
    (w * (got.promptLoss ?? 0) + got.completionTargets * (got.completionLoss ?? 0)) /
    (w + got.completionTargets);
  expect(Math.abs(got.loss - mean)).toBeLessThan(1e-12);
});
