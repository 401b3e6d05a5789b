/**
 * The tfjs model against the PyTorch reference (test/reference/torch/make_fixtures.py, which
 * implements LLaMA as transformers' modeling_llama): logits, greedy ids, the PLW loss at three
 * weights, and the gradient norm, on tiny checkpoints loaded from HF directories in F32, F16
 * and BF16, on the WASM backend with OpenBLAS products where plw-blas is built. Tolerances:
 * float32 on both sides, different summation orders: 1e-4 absolute on logits of magnitude ~1,
 * 1e-5 relative on losses and the gradient norm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHfModel } from '../../src-worker/model/checkpoint';
import { greedyGenerate } from '../../src-worker/model/generate';
import type { LlamaModel } from '../../src-worker/model/llama';
import { globalNorm } from '../../src-worker/train/adamw';
import { collate } from '../../src-worker/train/collate';
import { batchLossSums, lossFromSums, lossTargetsOf, plwLoss } from '../../src-worker/train/loss';
import {
  expectRelClose,
  fixtureDir,
  maxAbsDiff,
  onWebGpu,
  REFERENCE,
  useNativeBackend,
} from './fixtures';

type ModelName = keyof typeof REFERENCE.models;
const NAMES: ModelName[] = [
  'llama-untied-f32',
  'llama-tied-f32',
  'llama-untied-f16',
  'llama-untied-bf16',
];
/**
 * On webgpu (test/backend/webgpu-model-reference.test.ts, SwiftShader: a CPU emulating a GPU,
 * where every new shape compiles new shaders) the F16/BF16 checkpoints are left out: they differ
 * from F32 only in how the host decodes the weights, which the WASM run checks.
 */
const ON_DEVICE: ModelName[] = onWebGpu() ? ['llama-untied-f32', 'llama-tied-f32'] : NAMES;
const WIDENED = onWebGpu() ? [] : (['llama-untied-f16', 'llama-untied-bf16'] as const);
/** Greedy decoding compiles shaders for every length: one model on webgpu. */
const GREEDY: ModelName[] = onWebGpu() ? ['llama-untied-f32'] : NAMES;
const models = new Map<ModelName, LlamaModel>();

beforeAll(async () => {
  await useNativeBackend();
  for (const name of ON_DEVICE) models.set(name, loadHfModel(fixtureDir(name)).model);
});
afterAll(() => models.forEach((m) => m.dispose()));

const model = (name: ModelName): LlamaModel => models.get(name) as LlamaModel;

async function logitsOf(name: ModelName): Promise<Float32Array> {
  const ids = tf.tensor2d(REFERENCE.logitsIds, undefined, 'int32');
  const logits = model(name).logits(ids);
  const data = (await logits.data()) as Float32Array;
  tf.dispose([ids, logits]);
  return data;
}

describe('logits equal the PyTorch reference', () => {
  it.each(['llama-untied-f32', 'llama-tied-f32'] as const)(
    '%s (GQA 4 heads / 2 KV)',
    async (name) => {
      const ref = REFERENCE.models[name];
      const got = await logitsOf(name);
      expect(got.length).toBe(ref.logits.length);
      expect(maxAbsDiff(got, ref.logits)).toBeLessThan(1e-4);
    },
  );

  it.each(WIDENED)('%s weights widen to the values PyTorch sees', async (name) => {
    const ref = REFERENCE.models[name].lastLogits;
    const all = await logitsOf(name);
    const [rows, t, v] = [2, REFERENCE.logitsIds[0]!.length, ref.length / 2];
    const last: number[] = [];
    for (let r = 0; r < rows; r++) last.push(...all.subarray((r * t + t - 1) * v, (r * t + t) * v));
    expect(maxAbsDiff(last, ref)).toBeLessThan(1e-4);
    // and they really differ from the F32 model's (the test could tell a wrong decode)
    const f32 = await logitsOf('llama-untied-f32');
    const f32Last: number[] = [];
    for (let r = 0; r < rows; r++)
      f32Last.push(...f32.subarray((r * t + t - 1) * v, (r * t + t) * v));
    expect(maxAbsDiff(last, f32Last)).toBeGreaterThan(1e-4);
  });
});

describe('greedy generation equals the reference', () => {
  it.each(GREEDY)('%s, with and without the KV cache', async (name) => {
    const ref = REFERENCE.models[name];
    const cached = await greedyGenerate(model(name), ref.greedyPrompt, { maxNewTokens: 10 });
    const plain = await greedyGenerate(model(name), ref.greedyPrompt, {
      maxNewTokens: 10,
      useCache: false,
    });
    expect(cached.ids).toEqual(ref.greedyIds);
    expect(plain.ids).toEqual(ref.greedyIds);
  });
});

describe('PLW loss equals the reference', () => {
  it.each(ON_DEVICE.flatMap((n) => ['0', '0.1', '1'].map((plw) => [n, plw] as const)))(
    '%s at PLW %s',
    async (name, plw) => {
      const key = (plw === '0' ? '0.0' : plw === '1' ? '1.0' : plw) as '0.0' | '0.1' | '1.0';
      const ref = REFERENCE.models[name].losses[key];
      const mb = collate(REFERENCE.examples, Number(plw), REFERENCE.padId);
      const got = lossFromSums(await batchLossSums(model(name), mb));
      expectRelClose(got.loss, ref.loss, 1e-5, 'loss');
      expectRelClose(got.promptLoss, ref.promptLoss, 1e-5, 'prompt loss');
      expectRelClose(got.completionLoss, ref.completionLoss, 1e-5, 'completion loss');
      expect(got.promptTargets).toBe(ref.promptTargets);
      expect(got.completionTargets).toBe(ref.completionTargets);
    },
  );

  it('global gradient norm of the weighted loss (PLW 0.1) equals the reference', async () => {
    const m = model('llama-untied-f32');
    const mb = collate(REFERENCE.examples, 0.1, REFERENCE.padId);
    const grads = tf.tidy(() => {
      const inputs = lossTargetsOf(mb);
      return tf.variableGrads(() => plwLoss(m.logits(inputs.ids), inputs).loss).grads;
    });
    // The trainer's norm (one add at a time: an AddN over 21 gradients exceeds webgpu's
    // storage-buffer limit).
    const value = await globalNorm(new Map(Object.entries(grads)));
    tf.dispose(Object.values(grads));
    expect(
      Math.abs(value - REFERENCE['gradNormPlw0.1']) / REFERENCE['gradNormPlw0.1'],
    ).toBeLessThan(1e-5);
  });
});
