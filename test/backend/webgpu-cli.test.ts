/**
 * `plw train`, `plw loss` and `plw generate --backend webgpu` as a user runs them (real
 * processes) on SwiftShader, against the same commands on `--backend wasm`; and a tensor over
 * the adapter's maxBufferSize failing the run with one message naming it.
 *
 * Tolerances (float32 on both sides; the GPU reduces in another order — workgroup trees in
 * matMul, sum and softmax instead of WASM's sequential loops): losses 2e-5 relative, gradient
 * norms 1e-4 relative (a norm sums squares of ~10^4 gradient entries computed through two
 * layers of such reductions), and identical greedy ids. The backend line is asserted in every
 * run, so a silent fallback to another backend fails.
 */
import './webgpu-env';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveHfModel } from '../../src-worker/model/checkpoint';
import { createRandomLlama } from '../../src-worker/model/llama';
import { plwAsync, type CliResult } from '../helpers/cli';
import { TINY, records, useCpu } from '../train/helpers';

/** SwiftShader compiles every shader on the CPU: minutes on a loaded machine, not a timing. */
const SLOW = 600_000;

/** The backend line a webgpu run must print (adapter and limits named). */
const WEBGPU_LINE =
  /backend: webgpu \(adapter google swiftshader \(SwiftShader[^)]*\); maxBufferSize 1 GiB, maxStorageBufferBindingSize [\d.]+ \w+, \d+ storage buffers per kernel\): forced with --backend webgpu/;

let root = '';
let modelDir = '';
let data = '';

beforeAll(async () => {
  await useCpu();
  root = mkdtempSync(join(tmpdir(), 'plw-webgpu-cli-'));
  modelDir = join(root, 'base');
  const model = createRandomLlama({ ...TINY, hiddenSize: 32, intermediateSize: 64 }, 4);
  await saveHfModel(model, modelDir, { builtinTokenizer: 'byte' });
  model.dispose();
  data = join(root, 'data.jsonl');
  writeFileSync(
    data,
    records(4)
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One WASM thread where the command has the option (no thread pool to wind down). */
const on = (backend: 'webgpu' | 'wasm', threads = true): string[] =>
  backend === 'webgpu'
    ? ['--backend', 'webgpu']
    : ['--backend', 'wasm', ...(threads ? ['--threads', '1'] : [])];

function expectWebGpu(r: CliResult): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(WEBGPU_LINE);
}

const jsonLines = (r: CliResult): Record<string, number>[] =>
  r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);

function relClose(a: number, b: number, rel: number, label: string): void {
  expect(Math.abs(a - b), `${label}: ${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.abs(b));
}

describe('--backend webgpu (SwiftShader) matches --backend wasm', () => {
  it(
    'plw train: 2 AdamW steps with accumulation and clipping, then plw loss on the result',
    async () => {
      const train = (backend: 'webgpu' | 'wasm') =>
        plwAsync([
          'train',
          '--model',
          modelDir,
          '--data',
          data,
          '--plw',
          '0.1',
          '--out',
          join(root, `ft-${backend}`),
          '--batch-size',
          '4',
          '--micro-batch-size',
          '2',
          '--steps',
          '2',
          '--lr',
          '1e-2',
          '--warmup-ratio',
          '0',
          '--max-len',
          '256',
          '--json',
          ...on(backend),
        ]);
      const [gpu, wasm] = await Promise.all([train('webgpu'), train('wasm')]);
      expectWebGpu(gpu);
      expect(wasm.code, wasm.stderr).toBe(0);
      const g = jsonLines(gpu);
      const w = jsonLines(wasm);
      expect(g.map((l) => l.step)).toEqual([1, 2]);
      for (let i = 0; i < 2; i++) {
        for (const key of ['loss', 'promptLoss', 'completionLoss'] as const) {
          relClose(g[i]?.[key] as number, w[i]?.[key] as number, 2e-5, `step ${i + 1} ${key}`);
        }
        relClose(g[i]?.gradNorm as number, w[i]?.gradNorm as number, 1e-4, `step ${i + 1} norm`);
      }
      // The checkpoint written on webgpu loads anywhere: its loss on wasm equals webgpu's.
      const loss = (backend: 'webgpu' | 'wasm') =>
        plwAsync([
          'loss',
          '--model',
          join(root, 'ft-webgpu'),
          '--data',
          data,
          '--plw',
          '1',
          '--max-len',
          '256',
          '--json',
          ...on(backend, false),
        ]);
      const [lg, lw] = await Promise.all([loss('webgpu'), loss('wasm')]);
      expectWebGpu(lg);
      expect(lw.code, lw.stderr).toBe(0);
      const a = JSON.parse(lg.stdout) as Record<string, number>;
      const b = JSON.parse(lw.stdout) as Record<string, number>;
      relClose(a.loss as number, b.loss as number, 2e-5, 'loss');
      expect(a.completionTargets).toBe(b.completionTargets);
    },
    SLOW,
  );

  it(
    'plw generate: the same greedy ids',
    async () => {
      const gen = (backend: 'webgpu' | 'wasm') =>
        plwAsync([
          'generate',
          '--model',
          modelDir,
          '--prompt',
          'Add 2 and 3.',
          '--max-new-tokens',
          '6',
          '--json',
          ...on(backend, false),
        ]);
      const [g, w] = await Promise.all([gen('webgpu'), gen('wasm')]);
      expectWebGpu(g);
      expect(w.code, w.stderr).toBe(0);
      const ids = (r: CliResult) => (JSON.parse(r.stdout) as { ids: number[] }).ids;
      expect(ids(g).length).toBe(6);
      expect(ids(g)).toEqual(ids(w));
    },
    SLOW,
  );
});

describe('limits', () => {
  it(
    'a tensor over maxBufferSize fails the run with one message naming it, its size and the limit',
    async () => {
      // Vocabulary 70,000 × 4 sequences × 1,023 targets: the logits need 1.07 GiB of float32,
      // SwiftShader allows 1 GiB per buffer. The weights themselves are small (hidden size 8).
      const big = join(root, 'big-vocab');
      const model = createRandomLlama(
        {
          ...TINY,
          vocabSize: 70_000,
          hiddenSize: 8,
          intermediateSize: 16,
          maxPositionEmbeddings: 1024,
        },
        5,
      );
      await saveHfModel(model, big, { builtinTokenizer: 'byte' });
      model.dispose();
      const long = join(root, 'long.jsonl');
      writeFileSync(
        long,
        records(4)
          .map((r) => JSON.stringify({ ...r, output: r.output + ' ok'.repeat(400) }))
          .join('\n') + '\n',
      );
      const r = await plwAsync([
        'train',
        '--model',
        big,
        '--data',
        long,
        '--plw',
        '1',
        '--out',
        join(root, 'ft-big'),
        '--batch-size',
        '4',
        '--steps',
        '1',
        '--max-len',
        '1024',
        '--json',
        '--backend',
        'webgpu',
      ]);
      expect(r.stderr).toMatch(/backend: webgpu \(adapter google swiftshader/);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /the output of \w+ \[1, 4092, 70000\] float32 needs 1\.07 GiB, more than this GPU's maxBufferSize of 1 GiB \(google swiftshader\)/,
      );
      expect(r.stdout).toBe(''); // no step was reported: nothing ran on a stale or zero tensor
    },
    SLOW,
  );
});
