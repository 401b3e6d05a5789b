/**
 * The CPU path's capacity table (issue 22): LLaMA shapes of the size people fine-tune on a
 * CPU, each trained by the real trainer on wasm-blas (preflight, then micro-batches with
 * gradient accumulation, clipping, AdamW) and by PyTorch (bench/reference/torch_train_bench.py,
 * the same shapes and micro-batches) in the same run. For each: trains or the message it gave,
 * seconds from process start to the end of the first step, tokens/s (median of the timed
 * steps), peak RSS, the preflight's estimate and the WASM heap's measured high-water mark.
 *
 *   npx tsx bench/train-capacity.ts [--shapes 70m,156m,smollm,1b] [--steps 1] [--no-torch]
 *
 * Each engine runs in its own process. Slow on two cores (a 156M step is minutes); prefer few
 * steps on a loaded machine, and quote the load average it prints. Never a test.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src-worker/backend/index';
import { wasmHeapLimit, wasmHeapStats } from '../src-worker/backend/wasm-heap';
import { createRandomLlama } from '../src-worker/model/llama';
import { parameterCount } from '../src-worker/model/presets';
import type { ModelConfig } from '../src-worker/model/types';
import { DEFAULT_ADAMW } from '../src-worker/train/adamw';
import { ensureGradients } from '../src-worker/train/gradients';
import { plwLoss } from '../src-worker/train/loss';
import { memoryLimit, planStepMemory } from '../src-worker/train/preflight';
import { Trainer } from '../src-worker/train/trainer';
import { printResult, runChild, runTorchTrainBench } from './child-result';
import { syntheticBatch } from './synthetic-batch';

const PLW = 0.1;

const LLAMA_COMMON = {
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  maxPositionEmbeddings: 2048,
  bosTokenId: 1,
  eosTokenId: 2,
  padTokenId: 0,
};

/** hidden 576, intermediate 1536, 9 heads (SmolLM-135M's layer), the 32k LLaMA vocabulary. */
function llama576(layers: number, extra: Partial<ModelConfig> = {}): ModelConfig {
  return {
    ...LLAMA_COMMON,
    vocabSize: 32000,
    hiddenSize: 576,
    intermediateSize: 1536,
    numHiddenLayers: layers,
    numAttentionHeads: 9,
    numKeyValueHeads: 9,
    tieWordEmbeddings: false,
    ...extra,
  };
}

interface Shape {
  config: ModelConfig;
  batch: number;
  micro: number;
  seq: number;
  note: string;
}

const SHAPES: Record<string, Shape> = {
  '52m': { config: llama576(6), batch: 4, micro: 4, seq: 256, note: '6 layers, untied' },
  '52m-b16': { config: llama576(6), batch: 16, micro: 16, seq: 256, note: '6 layers, batch 16' },
  '70m': { config: llama576(10), batch: 4, micro: 4, seq: 256, note: '10 layers, untied' },
  '90m': { config: llama576(14), batch: 4, micro: 4, seq: 256, note: '14 layers, untied' },
  '156m': { config: llama576(30), batch: 8, micro: 2, seq: 256, note: '30 layers, untied' },
  smollm: {
    config: llama576(30, { vocabSize: 49152, numKeyValueHeads: 3, tieWordEmbeddings: true }),
    batch: 8,
    micro: 2,
    seq: 256,
    note: 'SmolLM-135M layout: tied, 3 KV heads, vocab 49,152',
  },
  '1b': {
    config: {
      ...llama576(22),
      hiddenSize: 2048,
      intermediateSize: 5632,
      numAttentionHeads: 32,
      numKeyValueHeads: 4,
    },
    batch: 8,
    micro: 1,
    seq: 256,
    note: 'TinyLlama-1.1B layout (expected: refused)',
  },
};

interface Result {
  status: 'trains' | 'refused' | 'failed';
  message?: string;
  firstStepS?: number;
  tokensPerS?: number;
  peakRssMb: number;
  estimateMb?: number;
  checkpointing?: boolean;
  heapPeakMb?: number;
  heapMb?: number;
}

const MB = 1024 ** 2;

async function child(name: string, steps: number): Promise<void> {
  const shape = SHAPES[name] as Shape;
  const out = (r: Result) => printResult(r);
  await initBackend({ backend: 'wasm-blas', threads: 2 });
  await ensureGradients();
  let plan;
  try {
    plan = planStepMemory(shape.config, shape.micro, shape.seq, memoryLimit(wasmHeapLimit()));
  } catch (err) {
    out({
      status: 'refused',
      message: (err as Error).message,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    });
    return;
  }
  try {
    const model = createRandomLlama(shape.config, 1);
    const trainer = new Trainer(model, plwLoss, {
      schedule: { kind: 'constant', lr: 1e-4, totalSteps: 1_000_000, warmupSteps: 0 },
      adamw: DEFAULT_ADAMW,
      clip: 1.0,
      checkpointing: plan.checkpointing,
    });
    const micros = Array.from({ length: shape.batch / shape.micro }, (_, k) =>
      syntheticBatch(shape.config, shape.micro, shape.seq, PLW, k + 1),
    );
    await trainer.step(micros);
    const firstStepS = performance.now() / 1000;
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await trainer.step(micros);
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    const median = times.length > 0 ? (times[Math.floor(times.length / 2)] as number) : NaN;
    const heap = wasmHeapStats();
    out({
      status: 'trains',
      firstStepS,
      tokensPerS: (shape.batch * shape.seq) / median,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      estimateMb: plan.bytes / MB,
      checkpointing: plan.checkpointing,
      ...(heap === null ? {} : { heapPeakMb: heap.peak / MB, heapMb: heap.heapBytes / MB }),
    });
  } catch (err) {
    out({
      status: 'failed',
      message: (err as Error).message,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    });
  }
}

function runOurs(name: string, steps: number): Result | string {
  return runChild<Result>(fileURLToPath(import.meta.url), [name, '--steps', String(steps)], {
    timeoutMs: 90 * 60 * 1000,
  });
}

interface TorchJson {
  tokens_per_s: number;
  first_step_s: number;
  peak_rss_mb: number;
}

function runTorch(name: string, steps: number): TorchJson | string {
  const s = SHAPES[name] as Shape;
  const c = s.config;
  const flags: Record<string, number> = {
    vocab: c.vocabSize,
    hidden: c.hiddenSize,
    intermediate: c.intermediateSize,
    layers: c.numHiddenLayers,
    heads: c.numAttentionHeads,
    'kv-heads': c.numKeyValueHeads,
    tied: c.tieWordEmbeddings ? 1 : 0,
    batch: s.batch,
    micro: s.micro,
    seq: s.seq,
    steps,
    warmup: 1,
    threads: 2,
    plw: PLW,
  };
  // As bench/train-throughput.ts's pytorch-tuned peer: OpenMP threads sleep while waiting.
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return runTorchTrainBench<TorchJson>(flags, { timeoutMs: 90 * 60 * 1000, env });
}

const f0 = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(0));
const f1 = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(1));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (flag: string) => {
    const i = argv.indexOf(`--${flag}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const steps = Number(get('steps') ?? '1');
  const c = argv.indexOf('--child');
  if (c >= 0) {
    await child(argv[c + 1] as string, steps);
    return;
  }
  const names = (get('shapes') ?? '70m,156m,smollm,1b').split(',');
  const torch = !argv.includes('--no-torch');
  console.log(
    `train-capacity: wasm-blas (2 threads) vs PyTorch (OMP_WAIT_POLICY=PASSIVE, 2 threads); 1 untimed step, then ${steps} timed`,
  );
  const loads = [loadavg()[0] ?? 0];
  const rows: string[] = [];
  for (const name of names) {
    const s = SHAPES[name];
    if (s === undefined) throw new Error(`unknown shape ${name}`);
    const params = parameterCount(s.config) / 1e6;
    const ours = runOurs(name, steps);
    loads.push(loadavg()[0] ?? 0);
    const peer =
      torch && typeof ours !== 'string' && ours.status !== 'refused' ? runTorch(name, steps) : null;
    loads.push(loadavg()[0] ?? 0);
    const head = `${name} (${params.toFixed(0)}M; ${s.note}; ${s.batch}×${s.seq} tokens/step, micro ${s.micro})`;
    let line: string;
    if (typeof ours === 'string') line = `${head}: FAILED ${ours}`;
    else if (ours.status !== 'trains') line = `${head}: ${ours.status}: ${ours.message ?? ''}`;
    else {
      line =
        `${head}: trains; first step after ${f1(ours.firstStepS)} s, ${f1(ours.tokensPerS)} tokens/s, ` +
        `peak RSS ${f0(ours.peakRssMb)} MB (preflight ${f0(ours.estimateMb)} MB, ${ours.checkpointing === true ? 'checkpointed' : 'whole graph'}; ` +
        `tensors' peak ${f0(ours.heapPeakMb)} MB, heap ${f0(ours.heapMb)} MB)`;
    }
    if (peer !== null) {
      line +=
        typeof peer === 'string'
          ? `; ${peer}`
          : `; PyTorch: first step after ${f1(peer.first_step_s)} s, ${f1(peer.tokens_per_s)} tokens/s, peak RSS ${f0(peer.peak_rss_mb)} MB`;
    }
    console.log(line);
    rows.push(line);
  }
  console.log(
    `1-minute load average during the run: ${loads.map((l) => l.toFixed(1)).join(' → ')} (2 cores)`,
  );
}

await main();
