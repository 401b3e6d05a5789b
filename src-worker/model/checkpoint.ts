/**
 * Exports Hugging Face `LlamaForCausalLM` directories in and out:
 * - `readHfCheckpoint(dir)`: config.json (LlamaConfig defaults for missing fields) and the
 *   weights of model.safetensors or of the shards listed in model.safetensors.index.json;
 * - `loadHfModel(dir)`: the same as a LlamaModel;
 * - `saveHfModel(model, dir, options)`: config.json, model.safetensors (F32; no lm_head with
 *   tied embeddings, as transformers saves it) and generation_config.json, so
 *   `LlamaForCausalLM.from_pretrained(dir)` loads it; tokenizer files copied when asked.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src-shared/errors';
import { configFromHf, configToHf } from './config';
import { llamaFromArrays, parametersToHost, type HostTensor, type LlamaModel } from './llama';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from './safetensors';
import type { CausalLM, ModelConfig } from './types';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
/** Tokenizer files a checkpoint may carry; copied verbatim when saving a fine-tuned model. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer.model',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

/**
 * config.json field naming the built-in tokenizer of a checkpoint that has no tokenizer file
 * (the byte tokenizer of the demo models). transformers ignores it.
 */
export const PLW_TOKENIZER_FIELD = 'plw_tokenizer';

export interface HfCheckpoint {
  config: ModelConfig;
  /** The raw config.json (e.g. for `plw_tokenizer`). */
  rawConfig: Record<string, unknown>;
  tensors: Map<string, HostTensor>;
  /** Tensor dtypes as stored (F32, F16, BF16). */
  dtypes: Map<string, string>;
  /** The weights file holding each tensor (for error messages). */
  files: Map<string, string>;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file }, `cannot read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError({ file }, `not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads config.json only (cheap: for `plw models DIR`). */
export function readHfConfig(dir: string): { config: ModelConfig; raw: Record<string, unknown> } {
  const file = join(dir, CONFIG_FILE);
  const raw = readJson(file);
  const config = configFromHf(raw, file);
  return { config, raw: raw as Record<string, unknown> };
}

/** The weights files of a checkpoint directory, sharded or not. */
export function weightFiles(dir: string): string[] {
  const single = join(dir, WEIGHTS_FILE);
  if (existsSync(single)) return [single];
  const index = join(dir, INDEX_FILE);
  if (!existsSync(index)) {
    throw new InputError(
      { file: dir },
      `no ${WEIGHTS_FILE} or ${INDEX_FILE} in the model directory`,
    );
  }
  const json = readJson(index) as { weight_map?: unknown };
  const map = json.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new InputError(
      { file: index, field: 'weight_map' },
      'expected an object of tensor name → file',
    );
  }
  const files = new Set<string>();
  for (const [name, f] of Object.entries(map)) {
    if (typeof f !== 'string' || f.includes('/') || f.includes('\\')) {
      throw new InputError(
        { file: index, field: `weight_map.${name}` },
        'expected a file name in the model directory',
      );
    }
    files.add(f);
  }
  return [...files].map((f) => join(dir, f));
}

export function readHfCheckpoint(dir: string): HfCheckpoint {
  const { config, raw } = readHfConfig(dir);
  const tensors = new Map<string, HostTensor>();
  const dtypes = new Map<string, string>();
  const files = new Map<string, string>();
  for (const file of weightFiles(dir)) {
    const st = readSafetensors(file);
    for (const [name, t] of st.tensors) {
      tensors.set(name, t);
      dtypes.set(name, st.dtypes.get(name) ?? 'F32');
      files.set(name, file);
    }
  }
  return { config, rawConfig: raw, tensors, dtypes, files };
}

/** A LlamaModel from a checkpoint directory (weights widened to float32). */
export function loadHfModel(dir: string): { model: LlamaModel; checkpoint: HfCheckpoint } {
  const checkpoint = readHfCheckpoint(dir);
  const file = checkpoint.files.values().next().value ?? join(dir, WEIGHTS_FILE);
  const model = llamaFromArrays(checkpoint.config, checkpoint.tensors, file);
  return { model, checkpoint };
}

export interface SaveOptions {
  /** Copy these tokenizer files from another checkpoint directory (those that exist). */
  tokenizerFrom?: string;
  /** Record a built-in tokenizer (e.g. `byte`) in config.json for models without files. */
  builtinTokenizer?: string;
}

/** Writes `model` as a transformers-loadable LlamaForCausalLM directory (created if absent). */
export async function saveHfModel(
  model: CausalLM,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const c = model.config;
  const extra = options.builtinTokenizer ? { [PLW_TOKENIZER_FIELD]: options.builtinTokenizer } : {};
  writeFileSync(join(dir, CONFIG_FILE), `${JSON.stringify(configToHf(c, extra), null, 2)}\n`);
  const generation: Record<string, unknown> = {
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    do_sample: false,
  };
  if (c.padTokenId !== null) generation.pad_token_id = c.padTokenId;
  writeFileSync(join(dir, 'generation_config.json'), `${JSON.stringify(generation, null, 2)}\n`);
  writeSafetensors(join(dir, WEIGHTS_FILE), await parametersToHost(model));
  if (options.tokenizerFrom !== undefined) {
    for (const name of TOKENIZER_FILES) {
      const src = join(options.tokenizerFrom, name);
      if (existsSync(src)) copyFileSync(src, join(dir, name));
    }
  }
}

/** What `plw models DIR` shows: config, parameter count and stored dtypes, from headers only. */
export function describeHfCheckpoint(dir: string): {
  config: ModelConfig;
  files: string[];
  tensors: number;
  parameters: number;
  dtypes: Record<string, number>;
} {
  const { config } = readHfConfig(dir);
  const files = weightFiles(dir);
  let tensors = 0;
  let parameters = 0;
  const dtypes: Record<string, number> = {};
  for (const file of files) {
    for (const { dtype, shape } of readSafetensorsHeader(file).values()) {
      tensors++;
      const n = shape.reduce((a, s) => a * s, 1);
      parameters += n;
      dtypes[dtype] = (dtypes[dtype] ?? 0) + n;
    }
  }
  return { config, files, tensors, parameters, dtypes };
}
