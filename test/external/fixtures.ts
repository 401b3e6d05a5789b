/**
 * What the external-engine tests share: the Python test environment (scripts/setup-test-deps.sh
 * makes `.venv-test/`), a tiny LlamaForCausalLM both engines read (the formula checkpoint of
 * test/model/formula-checkpoint.ts with the shared LLaMA tokenizer as tokenizer.json, so
 * transformers' fast tokenizer loads it without converting), and a small Alpaca dataset.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSentencePieceModel } from '../../src-worker/tokenizers/sentencepiece-model';
import { buildFormulaCheckpoint } from '../model/formula-checkpoint';
import { REPO_ROOT, sharedData } from '../helpers/paths';
import { llamaTokenizerJson } from '../reference/sentencepiece/llama-tokenizer-json';

/** The test venv's bin folder. */
export const VENV_BIN = join(REPO_ROOT, '.venv-test', 'bin');
export const VENV_PYTHON = join(VENV_BIN, 'python');
export const REFERENCE_TRAINER = join(REPO_ROOT, 'resources', 'trainers', 'plw_train.py');

/**
 * Whether the venv is there. Without it the tests fail under CI=true (the setup script must
 * have made it) and are skipped on a developer's machine that has not run it.
 */
export function venvReady(): boolean {
  const ok = existsSync(VENV_PYTHON);
  if (!ok && process.env.CI === 'true') {
    throw new Error(`${VENV_PYTHON} is missing: run bash scripts/setup-test-deps.sh`);
  }
  return ok;
}

/** The contract's argv for the reference trainer, every sweep setting through a placeholder. */
export function trainerArgs(): string[] {
  return [
    '--model',
    '{model}',
    '--data',
    '{dataset}',
    '--plw',
    '{plw}',
    '--seed',
    '{seed}',
    '--out',
    '{out}',
    '--resume',
    '{resume}',
    '--steps',
    '{steps}',
    '--epochs',
    '{epochs}',
    '--lr',
    '{lr}',
    '--batch-size',
    '{batch_size}',
    '--max-length',
    '{max_length}',
    '--checkpoint-every',
    '2',
  ];
}

/** Writes the tiny model (vocab 32000, d 16, 2 layers, tied) with HF tokenizer files into `dir`. */
export function buildTinyLlama(dir: string): string {
  buildFormulaCheckpoint(dir);
  const sp = parseSentencePieceModel(readFileSync(sharedData('tokenizer.model')));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(llamaTokenizerJson(sp)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'LlamaTokenizerFast',
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      add_bos_token: true,
      add_eos_token: false,
      legacy: true,
      model_max_length: 2048,
    }),
  );
  return dir;
}

/** `n` short Alpaca records (some with input), written as a JSON array to `file`. */
export function writeTinyDataset(file: string, n = 8): string {
  const records = Array.from({ length: n }, (_, i) => ({
    instruction: `Add ${i} and ${i + 2}.`,
    input: i % 2 === 0 ? '' : `The numbers are ${i} and ${i + 2}.`,
    output: `The sum is ${2 * i + 2}.`,
  }));
  writeFileSync(file, JSON.stringify(records, null, 1));
  return file;
}
