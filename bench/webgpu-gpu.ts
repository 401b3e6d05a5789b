/**
 * The webgpu backend on a real GPU (prepared for a machine with an NVIDIA GPU; one command,
 * under 8 minutes, figures in a JSON file):
 *
 *   npx tsx bench/webgpu-gpu.ts [--out webgpu-gpu.json] [--steps 5] [--warmup 2] [--budget 450]
 *
 * 1. Training tokens/s of the real trainer (forward, backward, PLW loss, clipping, AdamW) on
 *    webgpu for configs b and c of bench/train-throughput.ts and a 125M-class LLaMA shape
 *    (hidden 576, 30 layers, 9 heads, intermediate 1536, vocab 49,152, batch [8, 512]),
 *    against PyTorch on CUDA in float32 (TF32 off) on the same shapes, in the same run
 *    (bench/reference/torch_gpu_bench.py; skipped with the reason when torch or CUDA is absent).
 * 2. Where one webgpu step of the 125M shape goes: tfjs's kernel profile, summed per kernel
 *    (GPU timestamps where the adapter has timestamp-query). This decides whether the PLW loss
 *    or AdamW need WGSL kernels of their own (docs/PERF-NOTES.md "WebGPU").
 * 3. The largest LLaMA shape that trains (2 steps) on webgpu, trying bigger ones until one
 *    fails or the time budget is spent.
 * Each measurement runs in its own process (a fresh device, no memory carried over). The
 * default backend selection must pick webgpu (a hardware adapter); the JSON records its line.
 * Never a test; not run in CI.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend } from '../src-worker/backend/index';
import { createRandomLlama } from '../src-worker/model/llama';
import { findPreset } from '../src-worker/model/presets';
import type { ModelConfig } from '../src-worker/model/types';
import { DEFAULT_ADAMW } from '../src-worker/train/adamw';
import { ensureGradients } from '../src-worker/train/gradients';
import { plwLoss } from '../src-worker/train/loss';
import { Trainer } from '../src-worker/train/trainer';
import { syntheticBatch } from './synthetic-batch';

const HERE = dirname(fileURLToPath(import.meta.url));
const PLW = 0.1;

interface Shape {
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  vocab: number;
  batch: number;
  seq: number;
}

const perfB = findPreset('perf-b')?.config;
if (perfB === undefined) throw new Error('no model preset perf-b');
const CONFIGS: Record<string, Shape> = {
  b: {
    hidden: perfB.hiddenSize,
    layers: perfB.numHiddenLayers,
    heads: perfB.numAttentionHeads,
    intermediate: perfB.intermediateSize,
    vocab: perfB.vocabSize,
    batch: 8,
    seq: 256,
  },
  c: {
    hidden: perfB.hiddenSize,
    layers: 4,
    heads: perfB.numAttentionHeads,
    intermediate: perfB.intermediateSize,
    vocab: 32000,
    batch: 8,
    seq: 256,
  },
  '125m': {
    hidden: 576,
    layers: 30,
    heads: 9,
    intermediate: 1536,
    vocab: 49152,
    batch: 8,
    seq: 512,
  },
};

/** Growing LLaMA shapes for the largest-trainable search (batch [1, 512]). */
const LADDER: Shape[] = [
  { hidden: 2048, layers: 16, heads: 16, intermediate: 5632, vocab: 32000, batch: 1, seq: 512 }, // ~1.1B
  { hidden: 2560, layers: 24, heads: 20, intermediate: 6912, vocab: 32000, batch: 1, seq: 512 }, // ~2.0B
  { hidden: 3072, layers: 28, heads: 24, intermediate: 8192, vocab: 32000, batch: 1, seq: 512 }, // ~3.3B
  { hidden: 4096, layers: 32, heads: 32, intermediate: 11008, vocab: 32000, batch: 1, seq: 512 }, // ~6.7B
];

function modelConfig(s: Shape): ModelConfig {
  if (perfB === undefined) throw new Error('no model preset perf-b');
  return {
    ...perfB,
    vocabSize: s.vocab,
    hiddenSize: s.hidden,
    intermediateSize: s.intermediate,
    numHiddenLayers: s.layers,
    numAttentionHeads: s.heads,
    numKeyValueHeads: s.heads,
    maxPositionEmbeddings: Math.max(perfB.maxPositionEmbeddings, s.seq),
    tieWordEmbeddings: false,
  };
}

/** Untied LLaMA parameters: embeddings, head, per layer attention + MLP + 2 norms, final norm. */
function paramCount(s: Shape): number {
  const layer = 4 * s.hidden * s.hidden + 3 * s.hidden * s.intermediate + 2 * s.hidden;
  return 2 * s.vocab * s.hidden + s.layers * layer + s.hidden;
}

interface ChildResult {
  backend: string;
  tokensPerS: number;
  stepMs: number[];
  firstLoss: number;
  profile?: { kernel: string; ms: number; calls: number }[];
  error?: string;
}

/** Child: trains one shape on the default backend (must be webgpu) and prints one JSON line. */
async function child(shape: Shape, steps: number, warmup: number, profile: boolean) {
  const out: ChildResult = { backend: '', tokensPerS: 0, stepMs: [], firstLoss: NaN };
  try {
    const info = await initBackend();
    out.backend = describeBackend(info);
    if (info.name !== 'webgpu') throw new Error(`the default backend is ${info.name}, not webgpu`);
    await ensureGradients();
    const config = modelConfig(shape);
    const model = createRandomLlama(config, 1);
    const trainer = new Trainer(model, plwLoss, {
      schedule: { kind: 'constant', lr: 1e-4, totalSteps: 1_000_000, warmupSteps: 0 },
      adamw: DEFAULT_ADAMW,
      clip: 1.0,
    });
    const mb = syntheticBatch(config, shape.batch, shape.seq, PLW);
    for (let i = 0; i < warmup; i++) {
      const r = await trainer.step([mb]);
      if (i === 0) out.firstLoss = r.loss;
    }
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await trainer.step([mb]); // its figures are read back: the step's GPU work is done
      out.stepMs.push(performance.now() - t0);
    }
    const sorted = [...out.stepMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    out.tokensPerS = (shape.batch * shape.seq) / (median / 1000);
    if (profile) {
      const p = await tf.profile(async () => {
        await trainer.step([mb]);
      });
      const byKernel = new Map<string, { ms: number; calls: number }>();
      for (const k of p.kernels) {
        const t = await k.kernelTimeMs;
        const ms = typeof t === 'number' ? t : 0;
        const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
        byKernel.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 });
      }
      out.profile = [...byKernel]
        .map(([kernel, v]) => ({ kernel, ...v }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 25);
    }
    trainer.dispose();
    model.dispose();
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
  }
  process.stdout.write(`PLW-BENCH ${JSON.stringify(out)}\n`, () => process.exit(0));
}

function runChild(shape: Shape, steps: number, warmup: number, profile: boolean, timeoutS: number) {
  const r = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child',
      JSON.stringify({ shape, steps, warmup, profile }),
    ],
    { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 1 << 26 },
  );
  const line = r.stdout?.split('\n').find((l) => l.startsWith('PLW-BENCH '));
  if (line === undefined) {
    const why = r.error?.message ?? (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return { error: `no result (${r.signal ?? `exit ${r.status}`}): ${why}` } as ChildResult;
  }
  return JSON.parse(line.slice('PLW-BENCH '.length)) as ChildResult;
}

function runTorch(shape: Shape, steps: number, warmup: number) {
  const flags = {
    vocab: shape.vocab,
    hidden: shape.hidden,
    intermediate: shape.intermediate,
    layers: shape.layers,
    heads: shape.heads,
    batch: shape.batch,
    seq: shape.seq,
    steps,
    warmup,
    plw: PLW,
  };
  const r = spawnSync(
    process.env['PYTHON'] ?? 'python3',
    [
      join(HERE, 'reference', 'torch_gpu_bench.py'),
      ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)]),
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
  } catch {
    return {
      error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').at(-1),
    };
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
  };
  const childArg = opt('--child', '');
  if (childArg !== '') {
    const c = JSON.parse(childArg) as {
      shape: Shape;
      steps: number;
      warmup: number;
      profile: boolean;
    };
    await child(c.shape, c.steps, c.warmup, c.profile);
    return;
  }
  const outFile = opt('--out', 'webgpu-gpu.json');
  const steps = Number(opt('--steps', '5'));
  const warmup = Number(opt('--warmup', '2'));
  const budgetS = Number(opt('--budget', '450'));
  const start = performance.now();
  const left = () => budgetS - (performance.now() - start) / 1000;
  const report: Record<string, unknown> = { startedAt: new Date().toISOString(), configs: {} };
  const configs = report['configs'] as Record<string, unknown>;
  for (const [name, shape] of Object.entries(CONFIGS)) {
    const webgpu = runChild(shape, steps, warmup, name === '125m', Math.max(30, left()));
    const torch = runTorch(shape, steps, warmup);
    const torchTps = typeof torch['tokens_per_s'] === 'number' ? torch['tokens_per_s'] : null;
    configs[name] = {
      shape,
      params: paramCount(shape),
      webgpu,
      torchCudaFloat32: torch,
      ratio: torchTps === null || webgpu.error ? null : webgpu.tokensPerS / torchTps,
    };
    report['backend'] ??= webgpu.backend;
    console.log(
      `${name}: webgpu ${webgpu.error ?? `${webgpu.tokensPerS.toFixed(0)} tokens/s`}; ` +
        `pytorch cuda fp32 ${torchTps === null ? String(torch['error']) : `${torchTps.toFixed(0)} tokens/s`}`,
    );
  }
  const largest: Record<string, unknown>[] = [];
  for (const shape of LADDER) {
    if (left() < 60) {
      largest.push({ shape, params: paramCount(shape), skipped: 'time budget spent' });
      break;
    }
    const r = runChild(shape, 1, 1, false, left() - 10);
    largest.push({ shape, params: paramCount(shape), ok: r.error === undefined, result: r });
    console.log(
      `${(paramCount(shape) / 1e9).toFixed(2)}B params [1, 512]: ${r.error ?? `trains, ${r.tokensPerS.toFixed(0)} tokens/s`}`,
    );
    if (r.error !== undefined) break;
  }
  report['largest'] = largest;
  const ok = largest.filter((l) => l['ok'] === true);
  report['largestTrainableParams'] = ok.length > 0 ? ok[ok.length - 1]?.['params'] : null;
  report['seconds'] = (performance.now() - start) / 1000;
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${outFile} (${(report['seconds'] as number).toFixed(0)} s)`);
}

await main();
