import type * as tf from '@tensorflow/tfjs-core';

/**
 * Hyperparameters of a LLaMA-family causal LM, named as in Hugging Face's LlamaConfig
 * (camelCase here, snake_case in config.json).
 */
export interface ModelConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** Grouped-query attention: heads share K/V in groups; equal to numAttentionHeads for MHA. */
  numKeyValueHeads: number;
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number | null;
}

/**
 * A causal LM the trainer and evaluator can drive. Parameters are tfjs Variables keyed by their
 * Hugging Face names (`model.layers.0.self_attn.q_proj.weight`, …), so checkpoints map 1:1.
 */
export interface CausalLM {
  readonly config: ModelConfig;
  readonly params: ReadonlyMap<string, tf.Variable>;
  /** Next-token logits for every position. ids: [B, T] int32 → [B, T, V] float32. */
  logits(ids: tf.Tensor2D): tf.Tensor3D;
  dispose(): void;
}
