/**
 * Issue 22's memory means, on the WASM backend the CPU path trains on: gradient checkpointing
 * with a chunked loss (LlamaModel.checkpointedGradients) and the lean backward pass
 * (lean-tape.ts) give the same gradients and losses as differentiating the whole graph with
 * plain autodiff; and the preflight's estimate bounds the measured peak of the heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-worker/backend/index';
import { resetWasmHeapPeak, wasmHeapStats } from '../../src-worker/backend/wasm-heap';
import { createRandomLlama } from '../../src-worker/model/llama';
import type { ModelConfig } from '../../src-worker/model/types';
import { DEFAULT_ADAMW } from '../../src-worker/train/adamw';
import { collate, type MicroBatch } from '../../src-worker/train/collate';
import { ensureGradients } from '../../src-worker/train/gradients';
import { plwLoss } from '../../src-worker/train/loss';
import { estimateStepMemory } from '../../src-worker/train/preflight';
import { Trainer, type TrainerConfig, type TrainLoss } from '../../src-worker/train/trainer';
import { autodiffLoss, shortExamples, TINY, tokenizer } from './helpers';

beforeAll(async () => {
  await initBackend({ backend: 'wasm-xnnpack', threads: 1 });
  await ensureGradients();
});

const settings = (extra: Partial<TrainerConfig> = {}): TrainerConfig => ({
  schedule: { kind: 'constant', lr: 1e-3, totalSteps: 100, warmupSteps: 0 },
  adamw: DEFAULT_ADAMW,
  clip: 1.0,
  ...extra,
});

const SHAPES: Record<string, ModelConfig> = {
  'tied, grouped-query': { ...TINY, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2 },
  'untied, multi-head': {
    ...TINY,
    hiddenSize: 32,
    intermediateSize: 48,
    numHiddenLayers: 3,
    numKeyValueHeads: 2,
    tieWordEmbeddings: false,
  },
};

async function gradientsOf(
  config: ModelConfig,
  loss: TrainLoss,
  extra: Partial<TrainerConfig>,
  micros: MicroBatch[],
): Promise<{ grads: Float32Array[]; loss: number; prompt: number | null }> {
  const model = createRandomLlama(config, 5);
  const trainer = new Trainer(model, loss, settings(extra));
  const g = await trainer.gradients(micros);
  const grads = g.grads.map((t) => t.dataSync() as Float32Array);
  tf.dispose(g.grads);
  trainer.dispose();
  model.dispose();
  return { grads, loss: g.loss, prompt: g.promptLoss };
}

describe('checkpointed gradients with a chunked loss', () => {
  for (const [name, config] of Object.entries(SHAPES)) {
    it(`equal whole-graph autodiff (${name}; uneven micro-batches, 7-position chunks)`, async () => {
      const ex = shortExamples(7);
      const micros = [
        collate(ex.slice(0, 2), 0.2, tokenizer.padId),
        collate(ex.slice(2), 0.2, tokenizer.padId),
      ];
      const reference = await gradientsOf(config, autodiffLoss, {}, micros);
      const lean = await gradientsOf(
        config,
        plwLoss,
        { checkpointing: true, lossChunkRows: 7 },
        micros,
      );
      const whole = await gradientsOf(config, plwLoss, { checkpointing: false }, micros);
      for (const other of [lean, whole]) {
        expect(other.loss).toBeCloseTo(reference.loss, 5);
        expect(other.prompt).toBeCloseTo(reference.prompt as number, 5);
        let maxDiff = 0;
        let maxAbs = 0;
        reference.grads.forEach((a, i) => {
          const b = other.grads[i] as Float32Array;
          for (let j = 0; j < a.length; j++) {
            maxDiff = Math.max(maxDiff, Math.abs((a[j] as number) - (b[j] as number)));
            maxAbs = Math.max(maxAbs, Math.abs(a[j] as number));
          }
        });
        expect(maxAbs).toBeGreaterThan(1e-3);
        expect(maxDiff).toBeLessThan(2e-5 * maxAbs);
      }
    });
  }

  it('keeps the tensor count flat across checkpointed steps', async () => {
    const model = createRandomLlama(SHAPES['tied, grouped-query'] as ModelConfig, 2);
    const trainer = new Trainer(
      model,
      plwLoss,
      settings({ checkpointing: true, lossChunkRows: 5 }),
    );
    const micros = [collate(shortExamples(4), 0.1, tokenizer.padId)];
    await trainer.step(micros);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainer.step(micros);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    model.dispose();
  });
});

describe('the preflight estimate', () => {
  // Big enough that activations and states dwarf the fixed allowance, small enough for CI.
  const config: ModelConfig = {
    ...TINY,
    vocabSize: 4096,
    hiddenSize: 128,
    intermediateSize: 352,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    tieWordEmbeddings: false,
  };
  const batch = 4;
  const seq = 128;
  for (const checkpointing of [false, true]) {
    it(`bounds the measured peak of the heap (${checkpointing ? 'checkpointed' : 'whole graph'})`, async () => {
      const model = createRandomLlama(config, 1);
      const trainer = new Trainer(model, plwLoss, settings({ checkpointing }));
      const ids = Array.from({ length: batch }, (_, r) => ({
        ids: Array.from({ length: seq + 1 }, (_, t) => 3 + ((r * 131 + t * 17) % 4000)),
        promptLen: seq / 2,
      }));
      const micros = [collate(ids, 0.1, 0)];
      resetWasmHeapPeak();
      await trainer.step(micros);
      await trainer.step(micros);
      const measured = (wasmHeapStats() as { peak: number }).peak;
      const estimate = estimateStepMemory(config, batch, seq, checkpointing).bytes;
      trainer.dispose();
      model.dispose();
      expect(measured).toBeLessThanOrEqual(estimate);
      // Not uselessly loose: within 2x of what the step really held.
      expect(estimate).toBeLessThan(2 * measured);
    });
  }
});
