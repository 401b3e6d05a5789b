import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { corpusWindows } from '../../src-worker/train/pretrain';
import { plwAsync } from '../helpers/cli';

const root = mkdtempSync(join(tmpdir(), 'plw-pretrain-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('corpusWindows', () => {
  it('packs paragraphs as BOS + text + EOS into full windows of plain LM targets', () => {
    const tok = new ByteTokenizer();
    const w = corpusWindows('ab\n\n  \n\ncd\nef\n\n', tok, 4);
    // stream: BOS a b EOS BOS c d \n e f EOS (11 tokens) → two windows of 4, tail dropped
    expect(w.map((x) => x.ids)).toEqual([
      [1, ...tok.encode('ab'), 2],
      [1, ...tok.encode('cd\n')],
    ]);
    expect(w.every((x) => x.promptLen === 0)).toBe(true);
  });
});

describe('plw pretrain', () => {
  // tiny-byte, not the demo's own (larger) preset: seconds, not minutes.
  const args = [
    'pretrain',
    '--preset',
    'tiny-byte',
    '--steps',
    '6',
    '--seq-len',
    '64',
    '--batch-size',
    '4',
    '--micro-batch-size',
    '4',
    '--lr',
    '1e-2',
    '--cache-dir',
    root,
    '--backend',
    'wasm',
    '--threads',
    '1',
    '--json',
  ];

  it('builds a loadable HF model from the demo corpus, then answers from the cache', async () => {
    const first = await plwAsync(args);
    expect(first.code, first.stderr).toBe(0);
    const built = JSON.parse(first.stdout) as { model: string; cached: boolean; finalLoss: number };
    expect(built.cached).toBe(false);
    expect(built.finalLoss).toBeLessThan(5.3); // from ≈ ln(259) = 5.56 at init
    const config = JSON.parse(readFileSync(join(built.model, 'config.json'), 'utf8'));
    expect(config.plw_tokenizer).toBe('byte');
    expect(existsSync(join(built.model, 'model.safetensors'))).toBe(true);

    const again = await plwAsync(args);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ model: built.model, cached: true });
    expect(again.stderr).not.toMatch(/pretrain step/);

    // --name (the app's demo asks for `demo-base`, as `plw demo` does) names the folder.
    const named = await plwAsync([...args, '--name', 'demo-base']);
    expect(named.code, named.stderr).toBe(0);
    const namedModel = (JSON.parse(named.stdout) as { model: string }).model;
    expect(namedModel).toBe(join(built.model, '..', 'demo-base'));

    // A name that is not one plain folder name is refused before anything is built.
    for (const bad of ['../escape', 'a/b', '.hidden', '']) {
      const refused = await plwAsync([...args, '--name', bad]);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr).toContain(`--name: "${bad}" must be one folder name`);
    }
    expect(existsSync(join(built.model, '..', '..', 'escape'))).toBe(false);

    // Another setting is another cache entry.
    const other = await plwAsync(args.map((a) => (a === '6' ? '5' : a)));
    const otherResult = JSON.parse(other.stdout) as { model: string; cached: boolean };
    expect(otherResult.cached).toBe(false);
    expect(otherResult.model).not.toBe(built.model);

    // The cached model fine-tunes.
    const ft = await plwAsync([
      'train',
      '--model',
      built.model,
      '--data',
      join(import.meta.dirname, '../../resources/demo/demo-long.jsonl'),
      '--plw',
      '0',
      '--out',
      join(root, 'ft'),
      '--steps',
      '1',
      '--batch-size',
      '2',
      '--backend',
      'wasm',
      '--threads',
      '1',
      '--json',
    ]);
    expect(ft.code, ft.stderr).toBe(0);
    const step = JSON.parse(ft.stdout) as {
      loss: number;
      promptLoss: number;
      completionLoss: number;
    };
    // PLW 0: the loss is the completion loss; the prompt loss is still reported.
    expect(step.loss).toBeCloseTo(step.completionLoss, 5);
    expect(step.promptLoss).toBeGreaterThan(0);
  });
});
