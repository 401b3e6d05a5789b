import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { promptText } from '../../src-shared/alpaca';
import { loadTokenizer, SentencePieceTokenizer } from '../../src-worker/tokenizers';
import { parseSentencePieceModel } from '../../src-worker/tokenizers/sentencepiece-model';
import type { Tokenizer } from '../../src-worker/tokenizers';
import { REPO_ROOT, sharedData } from '../helpers/paths';

/**
 * Ids from the reference `sentencepiece` library (0.1.97, Debian python3-sentencepiece), made by
 * `/usr/bin/python3 test/reference/sentencepiece/make_fixtures.py`. Exact equality is required.
 */
interface Fixture {
  sentencepiece: string;
  model_sha256: string;
  vocab_size: number;
  bos_id: number;
  eos_id: number;
  unk_id: number;
  pad_id: number;
  cases: { file: string; index: number; field: string; ids: number[]; roundtrip: boolean }[];
  edge: { text: string; ids: number[]; decoded: string }[];
  decode: { ids: number[]; text: string }[];
}

const fixture = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/sentencepiece/ids.json'), 'utf8'),
) as Fixture;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const records = new Map<string, Json[]>();
function recordsOf(file: string): Json[] {
  let list = records.get(file);
  if (list === undefined) {
    const text = readFileSync(sharedData(file), 'utf8').replace(/^\uFEFF/, '');
    list = file.endsWith('.jsonl')
      ? text
          .split('\n')
          .filter((line) => line.trim().length > 0)
          .map((line) => JSON.parse(line) as Json)
      : (JSON.parse(text) as Json[]);
    records.set(file, list);
  }
  return list;
}

/** Resolves the fixture's field paths: "output", "instances.0.input", "prompt+output". */
function textOf(file: string, index: number, field: string): string {
  const record = recordsOf(file)[index];
  const str = (v: Json | undefined): string => {
    if (typeof v !== 'string') throw new Error(`${file}[${index}].${field} is not a string`);
    return v;
  };
  if (record === null || typeof record !== 'object' || Array.isArray(record) || !record) {
    throw new Error(`${file}[${index}] is not an object`);
  }
  if (field === 'prompt+output') {
    const rec = { instruction: str(record.instruction), input: str(record.input) };
    return promptText(rec) + str(record.output);
  }
  let value: Json | undefined = record;
  for (const part of field.split('.')) {
    if (Array.isArray(value)) value = value[Number(part)];
    else if (value !== null && typeof value === 'object') value = value[part];
    else value = undefined;
  }
  return str(value);
}

describe('SentencePiece tokenizer vs the reference library (LLaMA tokenizer.model)', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(sharedData('tokenizer.model'));
  });

  it('reads the model the fixtures were made from, with its special ids and size', () => {
    const sha = createHash('sha256')
      .update(readFileSync(sharedData('tokenizer.model')))
      .digest('hex');
    expect(sha).toBe(fixture.model_sha256);
    expect(tok.kind).toBe('sentencepiece');
    expect(tok.vocabSize).toBe(fixture.vocab_size);
    expect(tok.bosId).toBe(fixture.bos_id);
    expect(tok.eosId).toBe(fixture.eos_id);
    // No pad piece in LLaMA (pad_id -1): padding falls back to <unk>.
    expect(fixture.pad_id).toBe(-1);
    expect(tok.padId).toBe(fixture.unk_id);
  });

  const files = [...new Set(fixture.cases.map((c) => c.file))];
  it.each(files)('gives the reference ids on every sampled text of %s', (file) => {
    const cases = fixture.cases.filter((c) => c.file === file);
    expect(cases.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const c of cases) {
      const ids = tok.encode(textOf(file, c.index, c.field));
      if (JSON.stringify(ids) !== JSON.stringify(c.ids)) wrong.push(`record ${c.index} ${c.field}`);
    }
    expect(wrong).toEqual([]);
  });

  it('decodes each sampled text back to itself where the reference does', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const c of fixture.cases) {
      if (!c.roundtrip) continue;
      checked++;
      if (tok.decode(c.ids) !== textOf(c.file, c.index, c.field)) {
        wrong.push(`${c.file} record ${c.index} ${c.field}`);
      }
    }
    expect(checked).toBeGreaterThan(900);
    expect(wrong).toEqual([]);
  });

  it.each(fixture.edge.map((e) => [JSON.stringify(e.text).slice(0, 50), e] as const))(
    'edge case %s: reference ids and decode',
    (_label, e) => {
      expect(tok.encode(e.text)).toEqual(e.ids);
      expect(tok.decode(e.ids)).toBe(e.decoded);
    },
  );

  it('exercises byte fallback and multi-piece whitespace runs in the edge cases', () => {
    const all = fixture.edge.flatMap((e) => e.ids);
    expect(all.some((id) => id >= 3 && id <= 258)).toBe(true); // <0xNN> pieces
    expect(all).toContain(259); // "▁▁"
  });

  it.each(fixture.decode.map((d) => [JSON.stringify(d.ids), d] as const))(
    'decodes ids %s like the reference (specials dropped, bad bytes as U+FFFD each)',
    (_label, d) => {
      expect(tok.decode(d.ids)).toBe(d.text);
    },
  );

  it('gives the reference ids when both caches are tiny and keep starting over', () => {
    const model = parseSentencePieceModel(readFileSync(sharedData('tokenizer.model')));
    const small = new SentencePieceTokenizer(model, { maxCachedChunks: 8, maxPairSlots: 16 });
    const wrong = fixture.cases
      .filter((c) => c.file === files[0])
      .filter(
        (c) =>
          JSON.stringify(small.encode(textOf(c.file, c.index, c.field))) !== JSON.stringify(c.ids),
      )
      .map((c) => `record ${c.index} ${c.field}`);
    expect(wrong).toEqual([]);
  });

  it('gives the same ids for a text whether its words were seen before or not', async () => {
    const fresh = await loadTokenizer(sharedData('tokenizer.model'));
    const text = textOf(fixture.cases[2]!.file, fixture.cases[2]!.index, fixture.cases[2]!.field);
    const first = fresh.encode(text);
    expect(fresh.encode(text)).toEqual(first);
    expect(fresh.encode(`${text} ${text}`)).toEqual(tok.encode(`${text} ${text}`));
    expect(first).toEqual(fixture.cases[2]!.ids);
  });
});
