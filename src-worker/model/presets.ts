/**
 * Exports the built-in model presets (`PRESETS`, `findPreset`): tiny LLaMA configs for
 * from-scratch demo models and the two benchmark configs of PERF-NOTES.md.
 */
import type { ModelConfig } from './types';

export interface ModelPreset {
  name: string;
  description: string;
  config: ModelConfig;
  /** Tokenizer spec the preset is sized for (`loadTokenizer`), or null: ids only (benchmarks). */
  tokenizer: 'byte' | null;
}

/** Shared by all presets: LLaMA-2's norm epsilon and RoPE base; no padding id in LLaMA. */
const COMMON = { rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 2048 } as const;

export const PRESETS: readonly ModelPreset[] = [
  {
    name: 'tiny-byte',
    description: 'demo model for the byte tokenizer: d 128, 4 layers, 4 heads (2 KV), tied head',
    tokenizer: 'byte',
    config: {
      ...COMMON,
      vocabSize: 259, // ByteTokenizer: 256 bytes + PAD/BOS/EOS
      hiddenSize: 128,
      intermediateSize: 352, // ~8/3·d rounded up to a multiple of 32, as LLaMA sizes SwiGLU
      numHiddenLayers: 4,
      numAttentionHeads: 4,
      numKeyValueHeads: 2, // exercises grouped-query attention in the demo path
      tieWordEmbeddings: true, // the head would be a third of the parameters otherwise
      bosTokenId: 1,
      eosTokenId: 2,
      padTokenId: 0,
    },
  },
  {
    name: 'perf-a',
    description: 'PERF-NOTES config a: vocab 512, d 128, 4 layers, 4 heads (0.9M params)',
    tokenizer: null,
    config: {
      ...COMMON,
      vocabSize: 512,
      hiddenSize: 128,
      intermediateSize: 352,
      numHiddenLayers: 4,
      numAttentionHeads: 4,
      numKeyValueHeads: 4,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenId: 2,
      padTokenId: 0,
    },
  },
  {
    name: 'perf-b',
    description: 'PERF-NOTES config b: vocab 2048, d 256, 6 layers, 8 heads (5.9M params)',
    tokenizer: null,
    config: {
      ...COMMON,
      vocabSize: 2048,
      hiddenSize: 256,
      intermediateSize: 704,
      numHiddenLayers: 6,
      numAttentionHeads: 8,
      numKeyValueHeads: 8,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenId: 2,
      padTokenId: 0,
    },
  },
];

export function findPreset(name: string): ModelPreset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** Number of scalar parameters a config has (embedding counted once when tied). */
export function parameterCount(c: ModelConfig): number {
  const hd = c.hiddenSize / c.numAttentionHeads;
  const kv = c.numKeyValueHeads * hd;
  const attn = 2 * c.hiddenSize * c.hiddenSize + 2 * c.hiddenSize * kv;
  const mlp = 3 * c.hiddenSize * c.intermediateSize;
  const layer = attn + mlp + 2 * c.hiddenSize;
  const emb = c.vocabSize * c.hiddenSize;
  return emb * (c.tieWordEmbeddings ? 1 : 2) + c.numHiddenLayers * layer + c.hiddenSize;
}
