/** Tiny models and batches shared by the trainer tests (CPU backend, deterministic). */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { InstructionRecord } from '../../src-shared/alpaca';
import { createRandomLlama } from '../../src-worker/model/llama';
import type { ModelConfig } from '../../src-worker/model/types';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { ensureGradients } from '../../src-worker/train/gradients';
import { collate, type MicroBatch } from '../../src-worker/train/collate';
import type { EncodedExample } from '../../src-worker/train/examples';
import type { TrainLoss } from '../../src-worker/train/trainer';

export async function useCpu(): Promise<void> {
  await ensureGradients();
  await tf.setBackend('cpu');
  await tf.ready();
}

/** A LLaMA small enough to train in milliseconds on the CPU backend (byte vocabulary). */
export const TINY: ModelConfig = {
  vocabSize: 259,
  hiddenSize: 16,
  intermediateSize: 32,
  numHiddenLayers: 1,
  numAttentionHeads: 2,
  numKeyValueHeads: 1,
  maxPositionEmbeddings: 256,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
  bosTokenId: 1,
  eosTokenId: 2,
  padTokenId: 0,
};

export const tinyModel = (seed = 1) => createRandomLlama(TINY, seed);

export const tokenizer = new ByteTokenizer();

/** Short synthetic records of varied lengths (arithmetic, so no shared data is copied). */
export function records(n: number): InstructionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    instruction: `Add ${i} and ${i % 7}.`,
    input: i % 3 === 0 ? `x=${i}` : '',
    output: `${i + (i % 7)}${'!'.repeat(i % 5)}`,
  }));
}

/**
 * Short template-free examples (the Alpaca preamble alone is ~150 bytes): BOS + "a+b=" as the
 * prompt, the sum + EOS as the completion.
 */
export function shortExamples(n: number): EncodedExample[] {
  return Array.from({ length: n }, (_, i) => {
    const prompt = [tokenizer.bosId, ...tokenizer.encode(`${i}+${i % 7}=`)];
    const completion = [...tokenizer.encode(`${i + (i % 7)}${'.'.repeat(i % 4)}`), tokenizer.eosId];
    return { ids: [...prompt, ...completion], promptLen: prompt.length };
  });
}

export function micro(examples: EncodedExample[], plw: number): MicroBatch {
  return collate(examples, plw, tokenizer.padId);
}

/**
 * The loss of docs/METHOD.md "Loss" written with plain autodiff (Σw·CE / Σw through logSoftmax), independent of
 * the fused src-worker/train/loss.ts, so trainer tests check the trainer alone.
 */
export const autodiffLoss: TrainLoss = (logits, inputs) => {
  const ce = tf.neg(
    tf.sum(tf.mul(tf.logSoftmax(logits, -1), tf.oneHot(inputs.targets, logits.shape[2])), -1),
  ); // [B, T]
  return {
    loss: tf.div(tf.sum(tf.mul(ce, inputs.weights)), tf.sum(inputs.weights)) as tf.Scalar,
    ce: tf.reshape(ce, [-1]),
  };
};
