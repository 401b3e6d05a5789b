/**
 * Exports the built-in model presets (`PRESETS`, `findPreset`): tiny LLaMA configs for
 * from-scratch demo models and the two benchmark configs of docs/PERF-NOTES.md "The configs".
 */
import { MODEL_PRESETS } from '../../src-shared/catalogue';
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

/** Name, description and tokenizer come from the catalogue (src-shared/catalogue.ts). */
function catalogued(name: string): Omit<ModelPreset, 'config'> {
  const entry = MODEL_PRESETS.find((p) => p.name === name);
  if (entry === undefined) throw new Error(`preset ${name} is not in src-shared/catalogue.ts`);
  return entry;
}

export const PRESETS: readonly ModelPreset[] = [
  {
    ...catalogued('tiny-byte'),
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
    ...catalogued('perf-a'),
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
    ...catalogued('perf-b'),
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
