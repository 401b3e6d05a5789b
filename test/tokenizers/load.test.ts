import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src-shared/errors';
import { loadTokenizer } from '../../src-worker/tokenizers';
import { sharedData } from '../helpers/paths';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plw-tok-load-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Protobuf encoding, just enough to write small hand-made ModelProto messages. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const bytesField = (field: number, body: number[]): number[] => [
  ...varint(field * 8 + 2),
  ...varint(body.length),
  ...body,
];
const varintField = (field: number, value: number): number[] => [
  ...varint(field * 8),
  ...varint(value),
];
const piece = (text: string, type: number): number[] =>
  bytesField(1, [...bytesField(1, [...new TextEncoder().encode(text)]), ...varintField(3, type)]);

/** A 4-piece model of the given model_type (1 UNIGRAM) with an identity normalizer. */
function tinyModel(modelType: number): Uint8Array {
  return Uint8Array.from([
    ...piece('<unk>', 2),
    ...piece('<s>', 3),
    ...piece('</s>', 3),
    ...piece('\u2581a', 1),
    ...bytesField(2, varintField(3, modelType)),
    ...bytesField(3, [
      ...bytesField(1, [...new TextEncoder().encode('identity')]),
      ...varintField(4, 0),
    ]),
  ]);
}

/** The rejection of `promise` as an InputError; fails the test for anything else. */
async function inputError(promise: Promise<unknown>): Promise<InputError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('loadTokenizer', () => {
  it('gives the byte tokenizer for "byte"', async () => {
    expect((await loadTokenizer('byte')).kind).toBe('byte');
  });

  it('loads a tokenizer.model file and a model directory holding one', async () => {
    const sub = join(dir, 'sp-model');
    mkdirSync(sub);
    copyFileSync(sharedData('tokenizer.model'), join(sub, 'tokenizer.model'));
    const fromDir = await loadTokenizer(sub);
    expect(fromDir.kind).toBe('sentencepiece');
    expect(fromDir.encode('Hello world')).toEqual([15043, 3186]);
  });

  it('prefers tokenizer.json when a directory holds both', async () => {
    const sub = join(dir, 'both');
    mkdirSync(sub);
    copyFileSync(sharedData('tokenizer.model'), join(sub, 'tokenizer.model'));
    const json = {
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: { '</s>': 0, hi: 1 }, unk_token: '</s>' },
    };
    writeFileSync(join(sub, 'tokenizer.json'), JSON.stringify(json));
    const tok = await loadTokenizer(sub);
    expect(tok.kind).toBe('hf');
    expect(tok.encode('hi hi')).toEqual([1, 1]);
  });

  it('names the path when it does not exist', async () => {
    const missing = join(dir, 'nope', 'tokenizer.model');
    const err = await inputError(loadTokenizer(missing));
    expect(err.message).toContain(missing);
  });

  it('names the directory when it holds no tokenizer', async () => {
    const sub = join(dir, 'empty');
    mkdirSync(sub);
    const err = await inputError(loadTokenizer(sub));
    expect(err.message).toContain(sub);
    expect(err.message).toMatch(/tokenizer\.json.*tokenizer\.model/);
  });

  it('rejects a truncated tokenizer.model with the file name', async () => {
    const file = join(dir, 'truncated.model');
    writeFileSync(file, readFileSync(sharedData('tokenizer.model')).subarray(0, 1000));
    const err = await inputError(loadTokenizer(file));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not a SentencePiece model/);
  });

  it('rejects a SentencePiece model type it cannot reproduce exactly', async () => {
    const file = join(dir, 'unigram.model');
    writeFileSync(file, tinyModel(1));
    const err = await inputError(loadTokenizer(file));
    expect(err.location).toEqual({ file, field: 'trainer_spec.model_type' });
    expect(err.message).toMatch(/only BPE.*UNIGRAM/);
  });

  it('rejects a tokenizer.json that is not JSON or has no model', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"model": ');
    expect((await inputError(loadTokenizer(bad))).message).toMatch(/bad\.json: not valid JSON/);
    const noModel = join(dir, 'no-model.json');
    writeFileSync(noModel, '{"version": "1.0"}');
    expect((await inputError(loadTokenizer(noModel))).location).toEqual({
      file: noModel,
      field: 'model',
    });
  });
});
