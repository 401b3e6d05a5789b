import type * as tf from '@tensorflow/tfjs-core';

/**
 * Exports the model contracts: `ModelConfig` (LLaMA hyperparameters), `KvCache` (past keys and
 * values for incremental decoding) and `CausalLM` (what the trainer and evaluator drive).
 */

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
 * Keys (after RoPE) and values of the positions already seen, per layer: [B, numKeyValueHeads,
 * length, headDim] each. Owned by the caller of `CausalLM.logitsWithCache`; `dispose()` frees it.
 */
export interface KvCache {
  /** Number of positions held. */
  readonly length: number;
  readonly layers: ReadonlyArray<{ readonly k: tf.Tensor4D; readonly v: tf.Tensor4D }>;
  dispose(): void;
}

/** A loss computed over chunks of positions (rows of the flattened [B·T] batch). */
export interface ChunkedLoss {
  /** Positions per chunk: the chunk's logits are [chunkRows, V]. */
  chunkRows: number;
  /**
   * The scalar to differentiate for positions [start, start + count) from their logits
   * [count, V]; the chunks' values add up to the micro-batch's loss.
   */
  chunk(logits: tf.Tensor2D, start: number, count: number): tf.Scalar;
}

/**
 * A causal LM the trainer and evaluator can drive. Parameters are tfjs Variables keyed by their
 * Hugging Face names (`model.layers.0.self_attn.q_proj.weight`, …), so checkpoints map 1:1.
 */
export interface CausalLM {
  readonly config: ModelConfig;
  readonly params: ReadonlyMap<string, tf.Variable>;
  /**
   * Next-token logits for every position. ids: [B, T] int32 → [B, T, V] float32. Right padding
   * is safe (causal attention: real positions never see the padding after them).
   */
  logits(ids: tf.Tensor2D): tf.Tensor3D;
  /**
   * Logits of `ids` [B, T] placed after the positions in `cache` (null: none), plus the cache
   * extended by them. The input cache is left intact; dispose it yourself when done.
   */
  logitsWithCache(
    ids: tf.Tensor2D,
    cache: KvCache | null,
    /**
     * Only the logits of the last this many positions: [B, lastPositions, V]. Scoring and
     * generation read few positions of a long context, and the vocabulary projection of the
     * others is wasted work. Default: all T.
     */
    lastPositions?: number,
  ): { logits: tf.Tensor3D; cache: KvCache };
  /**
   * Optional (LlamaModel): the gradient of a chunked loss over the logits of `ids` [B, T] with
   * gradient checkpointing; each parameter's gradient goes to `accumulate` (which owns it),
   * possibly in several parts (a tied embedding gets the head's and the lookup's).
   */
  checkpointedGradients?(
    ids: tf.Tensor2D,
    loss: ChunkedLoss,
    accumulate: (name: string, grad: tf.Tensor) => void,
  ): void;
  dispose(): void;
}
