/**
 * Exports `loadModel(spec, options)`: the CLI's MODEL argument (docs/CLI.md "Models") resolved to a model and
 * its tokenizer: a built-in preset name (fresh seeded weights) or a Hugging Face
 * LlamaForCausalLM directory (its weights, and its tokenizer files or the built-in tokenizer
 * named in config.json).
 */
import { existsSync, statSync } from 'node:fs';
import { InputError, UsageError } from '../../src-shared/errors';
import { loadTokenizer, type Tokenizer } from '../tokenizers/index';
import { loadHfModel, PLW_TOKENIZER_FIELD } from './checkpoint';
import { createRandomLlama, type LlamaModel } from './llama';
import { findPreset, PRESETS } from './presets';

export interface LoadedModel {
  model: LlamaModel;
  /** null for benchmark presets sized for no tokenizer. */
  tokenizer: Tokenizer | null;
  /** `preset` or `directory`. */
  source: 'preset' | 'directory';
  /** Preset name or directory path. */
  name: string;
}

export interface LoadModelOptions {
  /** Seed of a preset's fresh weights (default 42, the sweep default of docs/METHOD.md "Sweep"). */
  seed?: number;
}

/** Resolves MODEL: a preset name first, else a directory. */
export async function loadModel(
  spec: string,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const preset = findPreset(spec);
  if (preset !== undefined) {
    const model = createRandomLlama(preset.config, options.seed ?? 42);
    const tokenizer = preset.tokenizer === null ? null : await loadTokenizer(preset.tokenizer);
    return { model, tokenizer, source: 'preset', name: spec };
  }
  if (!existsSync(spec) || !statSync(spec).isDirectory()) {
    throw new UsageError(
      `model "${spec}": neither a preset (${PRESETS.map((p) => p.name).join(', ')}) nor a model directory`,
    );
  }
  const { model, checkpoint } = loadHfModel(spec);
  try {
    const builtin = checkpoint.rawConfig[PLW_TOKENIZER_FIELD];
    const tokenizer = await loadTokenizer(typeof builtin === 'string' ? builtin : spec);
    if (tokenizer.vocabSize > model.config.vocabSize) {
      throw new InputError(
        { file: spec, field: 'vocab_size' },
        `the tokenizer has ${tokenizer.vocabSize} ids but the model only ${model.config.vocabSize}`,
      );
    }
    return { model, tokenizer, source: 'directory', name: spec };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
