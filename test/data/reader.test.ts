import { describe, expect, it, afterAll } from 'vitest';
import { InputError } from '../../src-shared/errors';
import { detectFormat, openDataset, readDataset } from '../../src-worker/data/reader';
import { findJsonSyntaxError, lineColumn } from '../../src-worker/data/json-locate';
import { invalidUtf8Offset } from '../../src-worker/data/utf8';
import { sharedData } from '../helpers/paths';
import { tempDir } from './tmp';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function readError(file: string): Promise<InputError> {
  try {
    await readDataset(file);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error(`expected ${file} to fail`);
}

describe('readDataset', () => {
  it('reads a JSON array and JSONL alike, with BOM, CRLF, blank lines and extra fields', async () => {
    const recs = [
      { instruction: 'i1', input: 'x', output: 'o1', extra: 1 },
      { instruction: 'i2', output: 'o2', tags: ['a'] },
    ];
    const want = [
      { instruction: 'i1', input: 'x', output: 'o1' },
      { instruction: 'i2', input: '', output: 'o2' },
    ];
    const arr = tmp.write(
      'a.json',
      `\ufeff  \r\n${JSON.stringify(recs, null, 2).replace(/\n/g, '\r\n')}`,
    );
    const jsonl = tmp.write(
      'a.jsonl',
      `\ufeff${JSON.stringify(recs[0])}\r\n\r\n   \n${JSON.stringify(recs[1])}`,
    );
    expect(await readDataset(arr)).toEqual({ format: 'json', records: want });
    expect(await readDataset(jsonl)).toEqual({ format: 'jsonl', records: want });
  });

  it('keeps unicode, escapes and CR inside strings', async () => {
    const rec = { instruction: 'héllo 日本 🙂', input: 'tab\there', output: 'line\r\nnext "q"' };
    const file = tmp.write('u.jsonl', `${JSON.stringify(rec)}\n`);
    expect((await readDataset(file)).records).toEqual([rec]);
  });

  it('decides the format by the first character after BOM and whitespace', async () => {
    expect(await detectFormat(tmp.write('f1', '\ufeff\n\t [1]'))).toBe('json');
    expect(await detectFormat(tmp.write('f2', '  {"a":1}'))).toBe('jsonl');
    // More than one read buffer of leading whitespace.
    expect(await detectFormat(tmp.write('f3', `${' '.repeat(70_000)}[`))).toBe('json');
  });

  it('streams JSONL: records arrive before a bad line further down is read', async () => {
    const good = '{"instruction":"a","output":"b"}\n';
    const file = tmp.write('late.jsonl', `${good.repeat(3)}{"instruction":"a"}\n`);
    const { records } = await openDataset(file);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const r of records) seen.push(r.output);
      })(),
    ).rejects.toThrow(/late\.jsonl: line 4: field "output": missing/);
    expect(seen).toEqual(['b', 'b', 'b']);
  });

  it('reads lines longer than one read chunk and multi-byte characters split across chunks', async () => {
    const long = 'é'.repeat(100_000);
    const file = tmp.write(
      'long.jsonl',
      `${JSON.stringify({ instruction: 'a', output: long })}\n${JSON.stringify({ instruction: long, output: 'b' })}\n`,
    );
    const { records } = await readDataset(file);
    expect(records.map((r) => r.output.length + r.instruction.length)).toEqual([100_001, 100_001]);
  });

  it('names the record index and field of an error in a pretty-printed array', async () => {
    const recs = Array.from({ length: 5 }, (_, i) => ({ instruction: `i${i}`, output: `o${i}` }));
    // Record k spans lines 2 + 4k .. 5 + 4k; its output is on line 4 + 4k, value ending at column 18.
    const text = JSON.stringify(recs, null, 2).replace('"o3"', '"o3" oops');
    const err = await readError(tmp.write('pretty.json', text));
    expect(err.location).toEqual({
      file: expect.stringContaining('pretty.json'),
      record: 'record 3',
      field: 'output',
    });
    expect(err.message).toMatch(/not valid JSON at line 16, column 20: expected ',' or '}'/);
  });

  it('is a bad-input error (exit 2) for an unreadable path', async () => {
    const err = await readError(tmp.dir);
    expect(err.code).toBe('bad_input');
    expect(err.message).toContain('is a directory');
  });
});

describe('the real instruction files', () => {
  it.each([
    ['gsm_8k_train.json', 7473, 0],
    ['gpteacher_roleplay-simple-deduped-roleplay-dataset.json', 3146, 814],
    ['gpteacher_toolformer-dedupe-only-dataset.json', 7673, 1459],
  ])('parses %s: %i records, %i with an input', async (name, count, withInput) => {
    const { format, records } = await readDataset(sharedData('instructions', name));
    expect(format).toBe('json');
    expect(records).toHaveLength(count);
    expect(records.filter((r) => r.input !== '')).toHaveLength(withInput);
    // Record 4069 of toolformer has an extra key, which is dropped.
    expect(Object.keys(records[records.length - 1] ?? {})).toEqual([
      'instruction',
      'input',
      'output',
    ]);
  });

  it('rejects the Self-Instruct seed tasks at line 1, field "output"', async () => {
    const err = await readError(sharedData('instructions', 'stanford_alpaca_seed_tasks.jsonl'));
    expect(err.location.record).toBe('line 1');
    expect(err.location.field).toBe('output');
    expect(err.message).toMatch(/missing .*Self-Instruct seed task/);
  });
});

describe('findJsonSyntaxError', () => {
  it('returns null for valid JSON and agrees with JSON.parse on what is invalid', () => {
    const valid = ['[]', '{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]}', ' "s" ', '0'];
    for (const t of valid) expect(findJsonSyntaxError(t)).toBeNull();
    const invalid = [
      '[1,]',
      '{"a" 1}',
      '{a:1}',
      '01',
      '[1 2]',
      '"\\x"',
      'tru',
      '{"a":1}}',
      '-',
      '[.5]',
    ];
    for (const t of invalid) {
      expect(() => JSON.parse(t)).toThrow();
      expect(findJsonSyntaxError(t)).not.toBeNull();
    }
  });

  it('reports the offset, the problem and the open containers', () => {
    expect(findJsonSyntaxError('[{"a":1},{"b":2 "c":3}]')).toEqual({
      offset: 16,
      problem: "expected ',' or '}' after a property value",
      path: [
        { kind: 'array', index: 1 },
        { kind: 'object', key: 'b' },
      ],
    });
    expect(findJsonSyntaxError('[1, 2')?.problem).toBe('unexpected end of input (truncated?)');
    expect(lineColumn('ab\ncd\nef', 7)).toEqual({ line: 3, column: 2 });
  });
});

describe('invalidUtf8Offset', () => {
  it('finds the first bad sequence as the WHATWG decoder defines it', () => {
    const cases: [number[], number][] = [
      [[0x61, 0xc3, 0xa9, 0x62], -1], // é
      [[0xf0, 0x9f, 0x99, 0x82], -1], // 🙂
      [[0x61, 0xe9, 0x62], 1], // Latin-1 é
      [[0x61, 0x62, 0xc0, 0xaf], 2], // overlong
      [[0xed, 0xa0, 0x80], 0], // surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0x61, 0xe2, 0x82], 1], // truncated sequence
    ];
    const fatal = new TextDecoder('utf-8', { fatal: true });
    for (const [bytes, want] of cases) {
      expect(invalidUtf8Offset(new Uint8Array(bytes))).toBe(want);
      const decodes = (() => {
        try {
          fatal.decode(new Uint8Array(bytes));
          return true;
        } catch {
          return false;
        }
      })();
      expect(decodes).toBe(want === -1);
    }
  });
});
