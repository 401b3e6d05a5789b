/**
 * `plw train` as a user runs it (a real process). A small from-scratch model saved in HF layout
 * keeps each run to seconds; the data is the built-in demo set.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveHfModel } from '../../src-worker/model/checkpoint';
import { loadHfModel } from '../../src-worker/model/checkpoint';
import { createRandomLlama } from '../../src-worker/model/llama';
import { plwAsync, type CliResult } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';
import { TINY, useCpu } from './helpers';

const DEMO = join(REPO_ROOT, 'resources/demo/demo-long.jsonl');
const CONTRACT = ['step', 'loss', 'promptLoss', 'completionLoss', 'gradNorm', 'lr', 'tokensPerSec'];
let root = '';
let modelDir = '';

beforeAll(async () => {
  await useCpu();
  root = mkdtempSync(join(tmpdir(), 'plw-train-cli-'));
  modelDir = join(root, 'base');
  const model = createRandomLlama(
    { ...TINY, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2 },
    4,
  );
  await saveHfModel(model, modelDir, { builtinTokenizer: 'byte' });
  model.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = (out: string) => [
  'train',
  '--model',
  modelDir,
  '--data',
  DEMO,
  '--plw',
  '0.1',
  '--out',
  out,
  '--batch-size',
  '8',
  '--micro-batch-size',
  '4',
  '--max-len',
  '512',
  // One WASM thread: fast, and no worker threads to keep the process alive after it is done.
  '--backend',
  'wasm',
  '--threads',
  '1',
];

describe('plw train', () => {
  it('prints one contract JSON object per step, lowers the completion loss and saves an HF model', async () => {
    const out = join(root, 'ft');
    const r = await plwAsync([
      ...base(out),
      '--steps',
      '30',
      '--lr',
      '1e-2',
      '--warmup-ratio',
      '0',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const l of lines) {
      for (const key of CONTRACT) expect(typeof l[key], key).toBe('number');
    }
    const first = lines[0]?.completionLoss as number;
    const lastFour = lines.slice(-4).map((l) => l.completionLoss as number);
    const late = lastFour.reduce((a, b) => a + b, 0) / lastFour.length;
    expect(first).toBeGreaterThan(5); // ≈ ln(259) for a fresh model
    expect(late).toBeLessThan(first - 1.5);
    expect(existsSync(join(out, 'config.json'))).toBe(true);
    const { model } = loadHfModel(out);
    expect(model.params.size).toBeGreaterThan(0);
    model.dispose();
    expect(r.stderr).toMatch(/saved the fine-tuned model/);
  });

  it('shows a progress line with loss and ETA on stderr without --json', async () => {
    const r = await plwAsync([...base(join(root, 'plain')), '--steps', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/step 2\/2 loss \d+\.\d{4} .*ETA \d+s/);
  });

  it('prints the preflight memory estimate, and refuses a step that cannot fit with exit 1', async () => {
    const ok = await plwAsync([...base(join(root, 'memory')), '--steps', '1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(
      /memory: a step needs about [\d.]+ MiB \(weights [\d.]+ KiB, AdamW state [\d.]+ KiB, gradients [\d.]+ KiB, activations [\d.]+ MiB\) of the WASM heap's 4\.00 GiB/,
    );
    // A 24 MiB heap (PLW_WASM_HEAP_LIMIT_MB) rehearses a model too big for the 4 GiB one.
    const r = await plwAsync([...base(join(root, 'too-big')), '--steps', '1'], {
      env: { PLW_WASM_HEAP_LIMIT_MB: '24' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /plw: error: out of memory \(preflight\): a training step at micro-batch 4 × \d+ tokens needs about [\d.]+ MiB .* more than the WASM heap's 24\.0 MiB; use a smaller --micro-batch-size, a shorter --max-len, or another backend/,
    );
    expect(existsSync(join(root, 'too-big', 'config.json'))).toBe(false);
  });

  it('fails with exit 1 and "loss diverged at step N" for a huge learning rate', async () => {
    const r = await plwAsync([
      ...base(join(root, 'nan')),
      '--steps',
      '10',
      '--lr',
      '1e30',
      '--clip',
      '0',
      '--warmup-ratio',
      '0',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plw: error: loss diverged at step \d+; try a lower learning rate/);
  });

  it('exits 2 naming the file for a missing dataset, and for --steps with --epochs', async () => {
    const missing = join(root, 'nope.jsonl');
    const args = base(join(root, 'x'));
    args[args.indexOf(DEMO)] = missing;
    const r = await plwAsync([...args, '--steps', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    const both = await plwAsync([...base(join(root, 'y')), '--steps', '1', '--epochs', '1']);
    expect(both.code).toBe(2);
    // The sweep file's check, naming the flag (test/train/settings).
    expect(both.stderr).toMatch(/--steps: give "steps" or "epochs", not both/);
  });
});

/** Runs `plw ARGS` and sends SIGINT once stdout has `afterLines` lines (a user's Ctrl-C). */
function plwInterrupted(args: string[], afterLines: number): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/plw.mjs'), ...args], {
      cwd: REPO_ROOT,
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!sent && stdout.split('\n').length > afterLines) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

describe('plw train --resume', () => {
  it('continues after Ctrl-C with the same per-step losses as an uninterrupted run', async () => {
    const common = ['--steps', '12', '--lr', '5e-3', '--warmup-ratio', '0.2', '--json'];
    const full = await plwAsync([...base(join(root, 'full')), ...common]);
    expect(full.code, full.stderr).toBe(0);
    const ref = full.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);

    const out = join(root, 'interrupted');
    const first = await plwInterrupted([...base(out), ...common], 3);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/stopped at step \d+\/12; continue with --resume/);
    const done = first.stdout.trim().split('\n').length;
    expect(done).toBeLessThan(12);

    const second = await plwAsync([...base(out), ...common, '--resume']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`resumed from .* at step ${done}`));
    const rest = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(rest.map((l) => l.step)).toEqual(
      Array.from({ length: 12 - done }, (_, i) => done + i + 1),
    );
    for (const l of rest) {
      const r = ref[(l.step as number) - 1] as Record<string, number>;
      expect(l.loss).toBeCloseTo(r.loss as number, 5);
      expect(l.lr).toBe(r.lr);
    }
  });
});
