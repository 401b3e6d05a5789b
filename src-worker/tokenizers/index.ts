import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../src-shared/errors';
import { ByteTokenizer } from './byte';
import { HfTokenizer, HfTokenizerSetupError } from './huggingface';
import type { HfTokenizerConfig } from './huggingface';
import { ProtoFormatError } from './protobuf';
import { parseSentencePieceModel, unsupportedFeature } from './sentencepiece-model';
import { SentencePieceTokenizer } from './sentencepiece';
import type { Tokenizer } from './types';

export type { Tokenizer } from './types';
export { ByteTokenizer } from './byte';
export { HfTokenizer } from './huggingface';
export { SentencePieceTokenizer } from './sentencepiece';

/**
 * A tokenizer from a CLI/sweep SPEC: `byte`, a Hugging Face `tokenizer.json`, a SentencePiece
 * `tokenizer.model`, or a model directory holding one of them (tokenizer.json preferred, as
 * `transformers` prefers the fast tokenizer).
 * @throws InputError naming the file when it is missing, unreadable, corrupt or unsupported.
 */
export async function loadTokenizer(spec: string): Promise<Tokenizer> {
  if (spec === 'byte') return new ByteTokenizer();
  if (!existsSync(spec)) {
    throw new InputError({ file: spec }, 'no such tokenizer file or directory (or use "byte")');
  }
  if (statSync(spec).isDirectory()) {
    for (const name of ['tokenizer.json', 'tokenizer.model']) {
      const file = join(spec, name);
      if (existsSync(file)) return loadTokenizerFile(file);
    }
    throw new InputError(
      { file: spec },
      'directory holds neither tokenizer.json nor tokenizer.model',
    );
  }
  return loadTokenizerFile(spec);
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new InputError({ file }, `cannot read: ${(err as Error).message}`);
  }
}

/** JSON by extension, else by content: a tokenizer.json starts with `{`, a protobuf never does. */
function loadTokenizerFile(file: string): Tokenizer {
  const bytes = readBytes(file);
  const looksJson = file.endsWith('.json') || (!file.endsWith('.model') && bytes[0] === 0x7b);
  return looksJson ? loadHuggingFace(file, bytes) : loadSentencePiece(file, bytes);
}

function parseJsonObject(file: string, bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError({ file }, `not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError({ file }, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function loadHuggingFace(file: string, bytes: Buffer): Tokenizer {
  const json = parseJsonObject(file, bytes);
  if (json.model === null || typeof json.model !== 'object') {
    throw new InputError({ file, field: 'model' }, 'missing: not a Hugging Face tokenizer.json');
  }
  const configFile = join(dirname(file), 'tokenizer_config.json');
  const config: HfTokenizerConfig = existsSync(configFile)
    ? parseJsonObject(configFile, readBytes(configFile))
    : {};
  try {
    return new HfTokenizer(json, config);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const reason =
      err instanceof HfTokenizerSetupError ? err.message : `unusable: ${(err as Error).message}`;
    throw new InputError({ file }, reason);
  }
}

function loadSentencePiece(file: string, bytes: Buffer): Tokenizer {
  let model;
  try {
    model = parseSentencePieceModel(bytes);
  } catch (err) {
    if (!(err instanceof ProtoFormatError)) throw err;
    throw new InputError({ file }, `not a SentencePiece model (${err.message})`);
  }
  const problem = unsupportedFeature(model);
  if (problem !== undefined) {
    throw new InputError({ file, field: problem.field }, problem.problem);
  }
  return new SentencePieceTokenizer(model);
}
