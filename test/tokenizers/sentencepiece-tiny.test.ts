import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../src-worker/tokenizers';
import { REPO_ROOT } from '../helpers/paths';

/**
 * Tiny hand-made SentencePiece BPE models (bytes and reference ids both from
 * `/usr/bin/python3 test/reference/sentencepiece/make_fixtures.py`, sentencepiece 0.1.97) for
 * the paths LLaMA's model never takes: a character found only inside a piece, user-defined
 * pieces, UNUSED pieces, a piece spanning a space (no chunking possible), no byte fallback,
 * remove_extra_whitespaces and no dummy prefix.
 */
interface TinyModel {
  name: string;
  model_base64: string;
  cases: { text: string; ids: number[]; decoded: string }[];
}

const tiny = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'test/reference/sentencepiece/ids.json'), 'utf8')) as {
    tiny: TinyModel[];
  }
).tiny;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plw-sp-tiny-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('SentencePiece BPE on tiny models vs the reference library', () => {
  it('has the five tiny models', () => {
    expect(tiny.map((m) => m.name)).toHaveLength(5);
  });

  it.each(tiny.map((m) => [m.name, m] as const))(
    '%s: reference ids and decode',
    async (name, m) => {
      const file = join(dir, `${name}.model`);
      writeFileSync(file, Buffer.from(m.model_base64, 'base64'));
      const tok = await loadTokenizer(file);
      for (const c of m.cases) {
        expect({ text: c.text, ids: tok.encode(c.text) }).toEqual({ text: c.text, ids: c.ids });
        expect(tok.decode(c.ids)).toBe(c.decoded);
      }
    },
  );
});
