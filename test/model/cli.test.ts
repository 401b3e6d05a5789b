/**
 * `plw models`, `plw loss` and `plw generate` as a user runs them (real processes, WASM
 * backend on one thread each via PLW_WORKERS=2, since vitest runs two files at once on this
 * 2-core machine). Target counts are checked against an independent count: with
 * the byte tokenizer a prompt has one target per UTF-8 byte of the filled template, a
 * completion one per byte of the output plus EOS.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptText } from '../../src-shared/alpaca';
import { plw } from '../helpers/cli';
import { fixtureDir } from './fixtures';

const RECORDS = [
  { instruction: 'Add the numbers.', input: '2 and 3', output: '5' },
  { instruction: 'Name a colour.', input: '', output: 'Blue, like the sky on a clear day.' },
  { instruction: 'Say hi.', input: '', output: 'Hi!' },
];

let tmp: string;
let data: string;
beforeAll(() => {
  process.env.PLW_WORKERS = '2'; // inherited by the plw processes: one WASM thread each
  tmp = mkdtempSync(join(tmpdir(), 'plw-cli-model-'));
  data = join(tmp, 'data.json');
  writeFileSync(data, JSON.stringify(RECORDS));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bytes = (s: string): number => new TextEncoder().encode(s).length;

function json(args: string[]): Record<string, unknown> {
  const r = plw(args);
  expect(r.code, r.stderr).toBe(0);
  // Our own line names the backend; tfjs's "install our node backend" banner is not repeated.
  expect(r.stderr).not.toMatch(/running TensorFlow\.js in Node\.js/);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('plw models', () => {
  it('lists the presets', () => {
    const list = json(['models', '--json']) as unknown as { name: string; parameters: number }[];
    expect(list.map((p) => p.name)).toEqual(
      expect.arrayContaining(['tiny-byte', 'perf-a', 'perf-b']),
    );
    expect(list.every((p) => p.parameters > 0)).toBe(true);
  });

  it('describes a model directory with its stored dtype', () => {
    const d = json(['models', fixtureDir('llama-untied-bf16'), '--json']) as {
      config: { vocabSize: number; numKeyValueHeads: number };
      dtypes: Record<string, number>;
      tokenizer: string | null;
    };
    expect(d.config.vocabSize).toBe(384);
    expect(d.config.numKeyValueHeads).toBe(2);
    expect(Object.keys(d.dtypes)).toEqual(['BF16']);
    expect(d.tokenizer).toBeNull();
  });
});

describe('plw loss', () => {
  const base = ['loss', '--model', 'tiny-byte', '--backend', 'wasm', '--json'];

  it('reports the contract fields with target counts from the Alpaca template', () => {
    const r = json([...base, '--data', data, '--plw', '0.1']);
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining([
        'loss',
        'promptLoss',
        'completionLoss',
        'promptTargets',
        'completionTargets',
      ]),
    );
    const prompt = RECORDS.reduce((s, x) => s + bytes(promptText(x)), 0);
    const completion = RECORDS.reduce((s, x) => s + bytes(x.output) + 1, 0);
    expect(r.promptTargets).toBe(prompt);
    expect(r.completionTargets).toBe(completion);
    const w =
      ((r.promptLoss as number) * prompt * 0.1 + (r.completionLoss as number) * completion) /
      (prompt * 0.1 + completion);
    expect(r.loss as number).toBeCloseTo(w, 4); // float32 sums on WASM: ~3e-6 relative
  });

  it('PLW 0 is the completion loss; --batch-size does not change the figures', () => {
    const all = json([...base, '--data', data, '--plw', '0']);
    const one = json([...base, '--data', data, '--plw', '0', '--batch-size', '1']);
    expect(all.loss as number).toBeCloseTo(all.completionLoss as number, 6);
    expect(one.loss as number).toBeCloseTo(all.loss as number, 5);
    expect(one.promptLoss as number).toBeCloseTo(all.promptLoss as number, 5);
  });

  it('--max-len truncates: fewer completion targets', () => {
    const r = json([...base, '--data', data, '--plw', '1', '--max-len', '120']);
    expect((r.promptTargets as number) + (r.completionTargets as number)).toBeLessThanOrEqual(
      3 * 119,
    );
  });

  it('bad model or weights: exit 2 with one line naming the problem', () => {
    const missing = plw([
      'loss',
      '--model',
      join(tmp, 'nope'),
      '--data',
      data,
      '--plw',
      '0',
      '--backend',
      'wasm',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope');
    const dir = join(tmp, 'corrupt');
    mkdirSync(dir);
    copyFileSync(join(fixtureDir('llama-tied-f32'), 'config.json'), join(dir, 'config.json'));
    const weights = readFileSync(join(fixtureDir('llama-tied-f32'), 'model.safetensors'));
    writeFileSync(join(dir, 'model.safetensors'), weights.subarray(0, weights.length - 64));
    const corrupt = plw([
      'loss',
      '--model',
      dir,
      '--data',
      data,
      '--plw',
      '0',
      '--backend',
      'wasm',
    ]);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('model.safetensors');
    expect(corrupt.stderr).toContain('model.norm.weight');
  });
});

describe('plw generate', () => {
  it('greedy ids from BOS + prompt, text decoded from them', () => {
    const r = json([
      'generate',
      '--model',
      'tiny-byte',
      '--backend',
      'cpu',
      '--prompt',
      'Hi',
      '--max-new-tokens',
      '5',
      '--json',
    ]) as {
      promptIds: number[];
      ids: number[];
      text: string;
    };
    expect(r.promptIds).toEqual([1, 'H'.charCodeAt(0) + 3, 'i'.charCodeAt(0) + 3]);
    expect(r.ids.length).toBeGreaterThan(0);
    expect(r.ids.length).toBeLessThanOrEqual(5);
    const again = json([
      'generate',
      '--model',
      'tiny-byte',
      '--backend',
      'cpu',
      '--prompt',
      'Hi',
      '--max-new-tokens',
      '5',
      '--json',
    ]);
    expect(again.ids).toEqual(r.ids); // seeded preset weights, greedy: reproducible
  });
});
