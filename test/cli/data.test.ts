import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plw, plwAsync } from '../helpers/cli';
import { REPO_ROOT, sharedData } from '../helpers/paths';
import { tempDir } from '../data/tmp';

const tmp = tempDir('plw-cli-data-');
afterAll(() => tmp.cleanup());

interface BadCase {
  name: string;
  file: string;
  content: string | Uint8Array;
  /** Substrings the one error line must hold, after the file path. */
  expect: string[];
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

const OK = '{"instruction":"a","input":"","output":"b"}';

const BAD: BadCase[] = [
  {
    name: 'not JSON in an array file',
    file: 'single-quotes.json',
    content: `[${OK},\n {"instruction": 'a', "output": "b"}]`,
    expect: ['record 1', 'field "instruction"', 'not valid JSON at line 2, column 18'],
  },
  {
    name: 'not JSON on a JSONL line',
    file: 'bare-word.jsonl',
    content: `${OK}\n{"instruction": "a", "output": b}\n`,
    expect: ['line 2', 'field "output"', 'not valid JSON at column 32'],
  },
  {
    name: 'a line of plain text',
    file: 'text.jsonl',
    content: `${OK}\n${OK}\nhello world\n`,
    expect: ['line 3', 'not valid JSON', "unexpected character 'h'"],
  },
  {
    name: 'a raw newline inside a string',
    file: 'raw-newline.json',
    content: `[${OK},\n${OK},\n{"instruction": "a", "input": "two\nlines", "output": "b"}]`,
    expect: ['record 2', 'field "input"', 'raw control character'],
  },
  {
    name: 'one pretty-printed object (wrong top-level shape)',
    file: 'object.json',
    content: '{\n  "instruction": "a",\n  "output": "b"\n}\n',
    expect: ['line 1', 'wrong top-level shape', 'single JSON object'],
  },
  {
    name: 'an object wrapping the records',
    file: 'wrapped.json',
    content: `{"data": [${OK}]}\n`,
    expect: ['line 1', 'field "instruction"', 'missing', 'object wrapping the records'],
  },
  {
    name: 'a number at the top level',
    file: 'number.json',
    content: '42\n',
    expect: ['line 1', 'expected an object', 'got number'],
  },
  {
    name: 'a record that is not an object (array file)',
    file: 'string-record.json',
    content: `[${OK}, "just text"]`,
    expect: ['record 1', 'expected an object', 'got string'],
  },
  {
    name: 'a record that is not an object (JSONL)',
    file: 'array-line.jsonl',
    content: `${OK}\n["a", "b"]\n`,
    expect: ['line 2', 'expected an object', 'got array'],
  },
  {
    name: 'a missing field',
    file: 'missing.json',
    content: `[${OK}, {"instruction": "a", "input": ""}]`,
    expect: ['record 1', 'field "output"', 'missing'],
  },
  {
    name: 'a non-string field',
    file: 'number-field.jsonl',
    content: `${OK}\n${OK}\n{"instruction": "a", "input": 5, "output": "b"}\n`,
    expect: ['line 3', 'field "input"', 'expected a string, got number'],
  },
  {
    name: 'a null instruction',
    file: 'null.json',
    content: '[{"instruction": null, "output": "b"}]',
    expect: ['record 0', 'field "instruction"', 'got null'],
  },
  {
    name: 'a truncated last line',
    file: 'truncated.jsonl',
    content: `${OK}\n{"instruction": "a", "output": "cut sho`,
    expect: ['line 2', 'field "output"', 'truncated last line'],
  },
  {
    name: 'a truncated array',
    file: 'truncated.json',
    content: `[${OK},\n${OK},\n{"instruction": "a", "output": "cut sho`,
    expect: ['record 2', 'field "output"', 'unexpected end of input'],
  },
  {
    name: 'an empty file',
    file: 'empty.jsonl',
    content: '',
    expect: ['line 1', 'the file is empty'],
  },
  {
    name: 'a file of blank lines',
    file: 'blank.jsonl',
    content: '\n  \r\n\n',
    expect: ['line 1', 'the file is empty'],
  },
  {
    name: 'an empty array',
    file: 'empty.json',
    content: '[ ]\n',
    expect: ['record 0', 'no records'],
  },
  {
    name: 'invalid UTF-8 in a JSONL line',
    file: 'latin1.jsonl',
    // Line 2 starts at byte 45; "caf" + 0xE9 (Latin-1 é) puts the bad byte at 45 + 34.
    content: bytes(`${OK}\n{"instruction": "a", "output": "caf`, [0xe9], '"}\n'),
    expect: ['line 2', 'field "output"', 'invalid UTF-8 at byte offset 79'],
  },
  {
    name: 'invalid UTF-8 in an array file',
    file: 'latin1.json',
    content: bytes(`[${OK},\n{"instruction": "a", "input": "x`, [0xc3, 0x28], '", "output": "b"}]'),
    expect: ['record 1', 'field "input"', 'invalid UTF-8 at byte offset 78', 'line 2'],
  },
];

describe('plw data: malformed input exits 2 with one line naming file, record and field', () => {
  it.concurrent.each(BAD)('$name', async (c) => {
    const file = tmp.write(c.file, c.content);
    const r = await plwAsync(['data', 'stats', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${file}: `);
    for (const part of c.expect) expect(lines[0]).toContain(part);
  });

  it('names the real Self-Instruct seed-task file, line 1 and the missing "output"', () => {
    const file = sharedData('instructions', 'stanford_alpaca_seed_tasks.jsonl');
    const r = plw(['data', 'stats', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${file}: line 1: field "output": missing`);
  });

  it('exits 2 for missing files and unwritable outputs; make-short writes nothing for bad input', () => {
    const missing = join(tmp.dir, 'no-such.json');
    const r = plw(['data', 'stats', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}: cannot read the dataset: no such file`);

    const bad = tmp.write('bad-late.jsonl', `${OK}\n${OK}\n{"instruction": 1}\n`);
    const out = join(tmp.dir, 'never.jsonl');
    const m = plw(['data', 'make-short', bad, out]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('line 3: field "instruction"');
    expect(existsSync(out)).toBe(false);

    const nowhere = join(tmp.dir, 'no-such-folder', 'out.jsonl');
    const w = plw(['data', 'make-short', tmp.write('fine.jsonl', `${OK}\n`), nowhere]);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain(`${nowhere}: cannot write the dataset`);
  });
});

describe('plw data stats', () => {
  // Byte counts: instruction 2 and 3, input 0 and 1, output 6 and 2.
  const file = tmp.write(
    'two.jsonl',
    '\ufeff{"instruction":"ab","output":"abcdef","extra":[1]}\r\n\r\n' +
      '{"instruction":"abc","input":"d","output":"xy"}\r\n',
  );

  it('prints the JSON fields of docs/CLI.md "Datasets", tolerating BOM, CRLF, blank lines and extra fields', () => {
    const r = plw(['data', 'stats', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      count: 2,
      instruction: { mean: 2.5, std: 0.5 },
      input: { mean: 0.5, std: 0.5 },
      completion: { mean: 4, std: 2 },
      totalTokens: 14,
      completionPromptRatio: 4 / 3,
    });
  });

  it('applies the short-completion transform with --short', () => {
    const r = plw(['data', 'stats', file, '--short', '--json']);
    expect(r.code).toBe(0);
    // Record 1 (6 > 2 + 0) is swapped: instruction = the 58-byte no-input sentence, input =
    // "abcdef", output = "ab". Record 2 (2 < 3 + 1) is kept.
    const s = JSON.parse(r.stdout);
    expect(s.instruction).toEqual({ mean: (58 + 3) / 2, std: (58 - 3) / 2 });
    expect(s.input).toEqual({ mean: (6 + 1) / 2, std: (6 - 1) / 2 });
    expect(s.completion).toEqual({ mean: 2, std: 0 });
    expect(s.totalTokens).toBe(58 + 6 + 2 + 3 + 1 + 2);
  });

  it('prints a readable table without --json', () => {
    const r = plw(['data', 'stats', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/records: 2/);
    expect(r.stdout).toMatch(/completion\s+4\.00\s+2\.00/);
    expect(r.stdout).toMatch(/completion\/prompt ratio: 1\.3333 \(long-completion\)/);
  });

  it('matches the sentencepiece library with a tokenizer.model, plain and --short', () => {
    // The demo file keeps this test fast; test/data/stats.test.ts covers the shared files.
    const expected = JSON.parse(
      readFileSync(new URL('../reference/data-stats/expected.json', import.meta.url), 'utf8'),
    )['resources/demo/demo-long.jsonl'].sentencepiece;
    const file = join(REPO_ROOT, 'resources/demo/demo-long.jsonl');
    const tok = sharedData('tokenizer.model');
    for (const mode of ['plain', 'short'] as const) {
      const args = ['data', 'stats', file, '--tokenizer', tok, '--json'];
      const r = plw(mode === 'short' ? [...args, '--short'] : args);
      expect(r.code).toBe(0);
      const got = JSON.parse(r.stdout);
      const want = expected[mode];
      expect(got.count).toBe(want.count);
      expect(got.totalTokens).toBe(want.totalTokens);
      // Same integer counts; means and stds differ from numpy's only by float summation order.
      for (const f of ['instruction', 'input', 'completion']) {
        expect(got[f].mean).toBeCloseTo(want[f].mean, 9);
        expect(got[f].std).toBeCloseTo(want[f].std, 9);
      }
      expect(got.completionPromptRatio).toBeCloseTo(want.completionPromptRatio, 12);
    }
  });
});

describe('plw data make-short', () => {
  const records = [
    { instruction: 'Say hi.', input: '', output: 'Hello there, how are you today?' },
    { instruction: 'Name it.', input: 'a red fruit', output: 'apple' },
    { instruction: 'Echo.', input: 'x', output: 'a long answer here' },
  ];

  it('keeps a JSON array a pretty-printed array and reports the count on stderr', () => {
    const input = tmp.write('in.json', JSON.stringify(records));
    const out = join(tmp.dir, 'out.json');
    const r = plw(['data', 'make-short', input, out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('transformed 2 of 3 records');
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('[\n  {\n    "instruction": ')).toBe(true);
    expect(JSON.parse(text)).toEqual([
      {
        instruction: 'Predict the prompt that generated the following AI output.',
        input: 'Hello there, how are you today?',
        output: 'Say hi.',
      },
      records[1],
      {
        instruction:
          'Predict the prompt that generated the below AI output given the following context. Context: x',
        input: 'a long answer here',
        output: 'Echo.',
      },
    ]);
  });

  it('keeps JSONL as JSONL, drops extra fields, and can overwrite its input', () => {
    const file = tmp.write(
      'inplace.jsonl',
      records.map((r) => JSON.stringify({ ...r, id: 7 })).join('\n') + '\n',
    );
    const r = plw(['data', 'make-short', file, file]);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1] as string)).toEqual(records[1]);
    expect(JSON.parse(lines[0] as string).output).toBe('Say hi.');
  });
});
