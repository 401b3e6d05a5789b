/**
 * Exports `configFromHf` (a Hugging Face LlamaConfig JSON → ModelConfig, with LlamaConfig's
 * defaults for missing fields and errors naming the file and field), `configToHf` (the inverse,
 * a config.json transformers' LlamaForCausalLM loads) and `validateConfig`.
 */
import { InputError } from '../../src-shared/errors';
import type { ModelConfig } from './types';

/** transformers' LlamaConfig defaults (LLaMA-7B): used for fields a config.json leaves out. */
const LLAMA_DEFAULTS = {
  vocab_size: 32000,
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
} as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one field: the default when absent (or null, as transformers writes for unset ids),
 * an InputError naming file and field when present with the wrong type.
 */
function field<T extends number | boolean>(
  json: Json,
  name: string,
  fallback: T,
  file: string,
  check: (v: unknown) => v is T,
  expected: string,
): T {
  const value = json[name];
  if (value === undefined || value === null) return fallback;
  if (!check(value)) {
    throw new InputError(
      { file, field: name },
      `expected ${expected}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isNonNegativeInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isPositive = (v: unknown): v is number => typeof v === 'number' && v > 0 && isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

/** A token id field that may be a list (Llama 3 lists several EOS ids): the first one counts. */
function tokenId(json: Json, name: string, fallback: number | null, file: string): number | null {
  const raw = json[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null) return fallback;
  if (!isNonNegativeInt(value)) {
    throw new InputError({ file, field: name }, `expected a token id, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Rejects settings this implementation does not compute, rather than silently ignoring them. */
function rejectUnsupported(json: Json, file: string): void {
  const act = json.hidden_act;
  if (act !== undefined && act !== 'silu') {
    throw new InputError(
      { file, field: 'hidden_act' },
      `only "silu" is supported, got ${JSON.stringify(act)}`,
    );
  }
  for (const name of ['attention_bias', 'mlp_bias']) {
    if (json[name] === true)
      throw new InputError({ file, field: name }, 'biases are not supported');
  }
  const scaling = json.rope_scaling;
  if (scaling !== undefined && scaling !== null) {
    throw new InputError({ file, field: 'rope_scaling' }, 'RoPE scaling is not supported');
  }
  const modelType = json.model_type;
  if (modelType !== undefined && modelType !== 'llama') {
    throw new InputError(
      { file, field: 'model_type' },
      `expected "llama", got ${JSON.stringify(modelType)}`,
    );
  }
}

/** ModelConfig from a parsed config.json; `file` names it in errors. */
export function configFromHf(json: unknown, file: string): ModelConfig {
  if (!isObject(json)) throw new InputError({ file }, 'expected a JSON object');
  rejectUnsupported(json, file);
  const d = LLAMA_DEFAULTS;
  const numAttentionHeads = field(
    json,
    'num_attention_heads',
    d.num_attention_heads,
    file,
    isPositiveInt,
    'a positive integer',
  );
  const hiddenSize = field(
    json,
    'hidden_size',
    d.hidden_size,
    file,
    isPositiveInt,
    'a positive integer',
  );
  const config: ModelConfig = {
    vocabSize: field(json, 'vocab_size', d.vocab_size, file, isPositiveInt, 'a positive integer'),
    hiddenSize,
    intermediateSize: field(
      json,
      'intermediate_size',
      d.intermediate_size,
      file,
      isPositiveInt,
      'a positive integer',
    ),
    numHiddenLayers: field(
      json,
      'num_hidden_layers',
      d.num_hidden_layers,
      file,
      isPositiveInt,
      'a positive integer',
    ),
    numAttentionHeads,
    // LlamaConfig: num_key_value_heads defaults to num_attention_heads (plain multi-head).
    numKeyValueHeads: field(
      json,
      'num_key_value_heads',
      numAttentionHeads,
      file,
      isPositiveInt,
      'a positive integer',
    ),
    maxPositionEmbeddings: field(
      json,
      'max_position_embeddings',
      d.max_position_embeddings,
      file,
      isPositiveInt,
      'a positive integer',
    ),
    rmsNormEps: field(json, 'rms_norm_eps', d.rms_norm_eps, file, isPositive, 'a positive number'),
    ropeTheta: field(json, 'rope_theta', d.rope_theta, file, isPositive, 'a positive number'),
    tieWordEmbeddings: field(
      json,
      'tie_word_embeddings',
      d.tie_word_embeddings,
      file,
      isBool,
      'true or false',
    ),
    bosTokenId: tokenId(json, 'bos_token_id', d.bos_token_id, file) ?? d.bos_token_id,
    eosTokenId: tokenId(json, 'eos_token_id', d.eos_token_id, file) ?? d.eos_token_id,
    padTokenId: tokenId(json, 'pad_token_id', null, file),
  };
  const headDim = json.head_dim;
  if (headDim !== undefined && headDim !== null && headDim !== hiddenSize / numAttentionHeads) {
    throw new InputError(
      { file, field: 'head_dim' },
      `only hidden_size / num_attention_heads (${hiddenSize / numAttentionHeads}) is supported, got ${JSON.stringify(headDim)}`,
    );
  }
  validateConfig(config, file);
  return config;
}

/** Checks the shape constraints of the architecture; `file` names the source in errors. */
export function validateConfig(config: ModelConfig, file = 'model config'): void {
  const { hiddenSize, numAttentionHeads, numKeyValueHeads, vocabSize } = config;
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new InputError(
      { file, field: 'num_attention_heads' },
      `${numAttentionHeads} does not divide hidden_size ${hiddenSize}`,
    );
  }
  if ((hiddenSize / numAttentionHeads) % 2 !== 0) {
    throw new InputError(
      { file, field: 'num_attention_heads' },
      'head size must be even for rotary embeddings',
    );
  }
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw new InputError(
      { file, field: 'num_key_value_heads' },
      `${numKeyValueHeads} does not divide num_attention_heads ${numAttentionHeads}`,
    );
  }
  for (const [name, id] of [
    ['bos_token_id', config.bosTokenId],
    ['eos_token_id', config.eosTokenId],
    ['pad_token_id', config.padTokenId],
  ] as const) {
    if (id !== null && id >= vocabSize) {
      throw new InputError({ file, field: name }, `${id} is outside the vocabulary (${vocabSize})`);
    }
  }
}

/** Head size: hidden size split evenly over the attention heads. */
export function headDim(config: ModelConfig): number {
  return config.hiddenSize / config.numAttentionHeads;
}

/**
 * config.json for transformers' LlamaForCausalLM. `extra` adds fields (e.g. `plw_tokenizer`);
 * transformers keeps unknown fields as attributes and otherwise ignores them.
 */
export function configToHf(config: ModelConfig, extra: Json = {}): Json {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    num_key_value_heads: config.numKeyValueHeads,
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    pad_token_id: config.padTokenId,
    hidden_act: 'silu',
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    initializer_range: 0.02,
    pretraining_tp: 1,
    use_cache: true,
    torch_dtype: 'float32',
    ...extra,
  };
}
