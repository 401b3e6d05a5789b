/**
 * Training throughput of the real trainer (src-worker/train/trainer.ts: forward, backward,
 * PLW loss, global-norm clipping, AdamW) on the configs a and b of docs/PERF-NOTES.md "The configs", for each backend
 * that loads, against the same model, batch shapes and loss trained by PyTorch + OpenBLAS
 * (bench/reference/torch_train_bench.py) in the same run, as two peers: `pytorch` configured
 * as the first measurements of docs/PERF-NOTES.md "Training throughput" ran it and `pytorch-tuned` with OMP_WAIT_POLICY=PASSIVE (see
 * torchEnv). Prints tokens/s, the ratios to both, and where one step's time goes (per-kernel
 * exclusive times).
 *
 *   npx tsx bench/train-throughput.ts [--configs a,b,c] [--backends wasm-blas,wasm-xnnpack,cpu]
 *       [--repeats 3]
 *       [--steps 8] [--warmup 3] [--threads 2] [--no-torch] [--torch-env inherit] [--stock]
 *
 * --stock adds the stock tfjs-backend-wasm kernels (overrides off, 1 thread) for comparison.
 * The slow engines (cpu, wasm-stock) run one round, on config a only.
 * Each engine runs in its own process, one after another, and repeats interleave engines so
 * that load from other processes hits them alike; figures are medians. Never a test.
 */
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, type InitBackendOptions } from '../src-worker/backend/index';
import { wasmHeapLimit } from '../src-worker/backend/wasm-heap';
import { memoryLimit, planStepMemory } from '../src-worker/train/preflight';
import { createRandomLlama } from '../src-worker/model/llama';
import { findPreset } from '../src-worker/model/presets';
import type { ModelConfig } from '../src-worker/model/types';
import { DEFAULT_ADAMW } from '../src-worker/train/adamw';
import { ensureGradients } from '../src-worker/train/gradients';
import { plwLoss } from '../src-worker/train/loss';
import { Trainer } from '../src-worker/train/trainer';
import { printResult, runChild as runSelf, runTorchTrainBench } from './child-result';
import { syntheticBatch } from './synthetic-batch';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(HERE);

/**
 * The two configs of docs/PERF-NOTES.md "The configs" (model preset and batch shape, 2,048 tokens per step), and c:
 * config b's layers at the LLaMA tokenizer's 32,000-token vocabulary, 4 layers, [8, 256].
 */
const CONFIGS = {
  a: { preset: 'perf-a', batch: 16, seq: 128 },
  b: { preset: 'perf-b', batch: 8, seq: 256 },
  c: { preset: 'perf-b', batch: 8, seq: 256, vocabSize: 32000, layers: 4 },
} as const;
type ConfigName = keyof typeof CONFIGS;

type Engine = 'wasm-blas' | 'wasm-xnnpack' | 'wasm' | 'wasm-stock' | 'cpu';

const PLW = 0.1;

interface Args {
  configs: ConfigName[];
  backends: Engine[];
  repeats: number;
  steps: number;
  warmup: number;
  threads: number;
  torch: boolean;
  torchEnvInherit: boolean;
}

interface RunResult {
  engine: string;
  /** Peak resident set of the whole process (MB). */
  peakRssMb?: number;
  stepMs: number[];
  medianMs: number;
  tokensPerS: number;
  detail: string;
  profile?: KernelTime[];
}

interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

function modelConfig(name: ConfigName): ModelConfig {
  const c = CONFIGS[name];
  const preset = findPreset(c.preset);
  if (preset === undefined) throw new Error(`no model preset ${c.preset}`);
  return 'vocabSize' in c
    ? { ...preset.config, vocabSize: c.vocabSize, numHiddenLayers: c.layers }
    : preset.config;
}

/**
 * Wraps every kernel of the active backend to accumulate exclusive wall time per kernel name
 * (a kernel that calls another, like BatchMatMul calling Transpose, is charged only its own
 * part). Kernels run synchronously on wasm and cpu, so wall time is their cost.
 */
function instrumentKernels(): { reset(): void; report(): KernelTime[] } {
  const backend = tf.getBackend();
  const times = new Map<string, KernelTime>();
  const stack: number[] = []; // child time accumulated per open call
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        stack.push(0);
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          const total = performance.now() - t0;
          const children = stack.pop() ?? 0;
          if (stack.length > 0) stack[stack.length - 1] = (stack[stack.length - 1] ?? 0) + total;
          const entry = times.get(config.kernelName) ?? {
            kernel: config.kernelName,
            ms: 0,
            calls: 0,
          };
          entry.ms += total - children;
          entry.calls++;
          times.set(config.kernelName, entry);
        }
      },
    });
  }
  return {
    reset: () => times.clear(),
    report: () => [...times.values()].sort((p, q) => q.ms - p.ms),
  };
}

/** Child process: times trainer steps on one backend and prints one JSON line. */
async function child(engine: Engine, configName: ConfigName, args: Args): Promise<void> {
  const options: InitBackendOptions =
    engine === 'wasm-stock'
      ? { backend: 'wasm', threads: 1, kernelOverrides: false }
      : { backend: engine, threads: args.threads };
  const info = await initBackend(options);
  await ensureGradients();
  const config = modelConfig(configName);
  const { batch, seq } = CONFIGS[configName];
  const model = createRandomLlama(config, 1);
  const trainer = new Trainer(model, plwLoss, {
    schedule: { kind: 'constant', lr: 1e-3, totalSteps: 1_000_000, warmupSteps: 0 },
    adamw: DEFAULT_ADAMW,
    clip: 1.0,
    // The backward pass the product's preflight picks for this shape (src-worker/train/preflight.ts).
    checkpointing: planStepMemory(config, batch, seq, memoryLimit(wasmHeapLimit())).checkpointing,
  });
  const mb = syntheticBatch(config, batch, seq, PLW);
  for (let i = 0; i < args.warmup; i++) await trainer.step([mb]);
  const tensorsBefore = tf.memory().numTensors;
  const stepMs: number[] = [];
  for (let i = 0; i < args.steps; i++) {
    const t0 = performance.now();
    await trainer.step([mb]);
    stepMs.push(performance.now() - t0);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  // Profile one more step with every kernel timed.
  const profiler = instrumentKernels();
  const t0 = performance.now();
  await trainer.step([mb]);
  const profiledMs = performance.now() - t0;
  const kernels = profiler.report();
  const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
  const m = median(stepMs);
  const result: RunResult = {
    engine,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    stepMs,
    medianMs: m,
    tokensPerS: (batch * seq) / (m / 1000),
    detail:
      `${describeBackend(info)}; profiled step ${profiledMs.toFixed(0)} ms, kernels ` +
      `${kernelMs.toFixed(0)} ms, outside kernels ${(profiledMs - kernelMs).toFixed(0)} ms` +
      (leaked !== 0 ? `; WARNING ${leaked} tensors leaked over ${args.steps} steps` : ''),
    profile: [
      ...kernels.slice(0, 12),
      { kernel: '(outside kernels: tape, tidy, JS)', ms: profiledMs - kernelMs, calls: 0 },
    ],
  };
  trainer.dispose();
  model.dispose();
  printResult(result);
}

/**
 * Our engines run with the environment the tuned peer gets (OPENBLAS_* removed unless the
 * first-loss check kept them), so wasm-blas picks its OpenBLAS kernels as a user's would.
 */
function runChild(
  engine: Engine,
  config: ConfigName,
  args: Args,
  inherit: boolean,
): RunResult | string {
  const cpuArgs = engine === 'cpu' ? ['--steps', '2'] : [];
  const result = runSelf<RunResult>(
    fileURLToPath(import.meta.url),
    [
      engine,
      config,
      '--steps',
      String(args.steps),
      '--warmup',
      String(args.warmup),
      '--threads',
      String(args.threads),
      ...cpuArgs,
    ],
    { timeoutMs: 60 * 60 * 1000, cwd: REPO, env: torchEnv(inherit, false), tailLines: 3 },
  );
  return typeof result === 'string' ? `${engine} failed: ${result}` : result;
}

/**
 * The environment for the PyTorch peer. This workplace sets OPENBLAS_CORETYPE (and
 * OPENBLAS_L2_SIZE) for old OpenBLAS builds; on this AVX-512 CPU they force Haswell kernels and
 * slow torch by ~25% (config a: ~4,700 → ~6,800 tokens/s), so the peer runs without them,
 * letting OpenBLAS choose its kernels, unless --torch-env inherit. `checkTorchEnv` makes sure
 * the kernels OpenBLAS then picks compute the same first loss.
 */
const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/**
 * Two PyTorch peers run every round:
 * - `pytorch`: as the first measurements of docs/PERF-NOTES.md "Training throughput" ran it (and #3's targets refer to): torch's OpenMP
 *   threads keep their default wait policy, so they spin while OpenBLAS's own two pthreads run
 *   each GEMM, four busy threads on two cores; its step times scatter (here 110-550 ms on
 *   config a) and its median is ~2.5x slower than it need be;
 * - `pytorch-tuned`: the same with OMP_WAIT_POLICY=PASSIVE (OpenMP threads sleep while
 *   waiting): steady, and the fair measure of what PyTorch + OpenBLAS does on this machine.
 */
function torchEnv(inherit: boolean, tuned: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!inherit) for (const v of OPENBLAS_VARS) delete env[v];
  if (tuned) env.OMP_WAIT_POLICY = 'PASSIVE';
  else delete env.OMP_WAIT_POLICY;
  return env;
}

interface TorchJson {
  step_ms: number[];
  median_ms: number;
  tokens_per_s: number;
  torch: string;
  blas: string;
  threads: number;
  first_loss: number;
  peak_rss_mb: number;
}

function spawnTorch(
  config: ConfigName,
  args: Args,
  inherit: boolean,
  steps: number,
  warmup: number,
  tuned = false,
): TorchJson | string {
  const c = modelConfig(config);
  const { batch, seq } = CONFIGS[config];
  const flags: Record<string, number> = {
    vocab: c.vocabSize,
    hidden: c.hiddenSize,
    intermediate: c.intermediateSize,
    layers: c.numHiddenLayers,
    heads: c.numAttentionHeads,
    batch,
    seq,
    steps,
    warmup,
    threads: args.threads,
    plw: PLW,
  };
  return runTorchTrainBench<TorchJson>(flags, {
    timeoutMs: 60 * 60 * 1000,
    env: torchEnv(inherit, tuned),
    tailLines: 2,
  });
}

/**
 * With the OpenBLAS variables removed, the first training loss must equal the one computed
 * under the workplace's settings (1e-4 relative); otherwise the peer keeps those settings.
 * Returns whether to inherit the environment, and a line saying what was decided.
 */
function checkTorchEnv(args: Args): { inherit: boolean; note: string } {
  if (args.torchEnvInherit) return { inherit: true, note: 'pytorch: environment inherited' };
  const own = spawnTorch('a', args, false, 1, 1);
  const inherited = spawnTorch('a', args, true, 1, 1);
  if (typeof own === 'string' || typeof inherited === 'string') {
    return { inherit: true, note: 'pytorch: could not compare OpenBLAS settings; inherited' };
  }
  const rel = Math.abs(own.first_loss - inherited.first_loss) / Math.abs(inherited.first_loss);
  if (!(rel <= 1e-4)) {
    return {
      inherit: true,
      note: `pytorch: ${own.blas} gave first loss ${own.first_loss} vs ${inherited.first_loss}; kept ${inherited.blas}`,
    };
  }
  return {
    inherit: false,
    note:
      `pytorch: ${OPENBLAS_VARS.join('/')} unset for the peer, so it runs ${own.blas} ` +
      `(the workplace setting gives ${inherited.blas}); first losses agree to ${rel.toExponential(1)}`,
  };
}

function runTorch(
  config: ConfigName,
  args: Args,
  inherit: boolean,
  tuned: boolean,
): RunResult | string {
  const j = spawnTorch(config, args, inherit, args.steps, args.warmup, tuned);
  if (typeof j === 'string') return j;
  return {
    engine: tuned ? 'pytorch-tuned' : 'pytorch',
    peakRssMb: j.peak_rss_mb,
    stepMs: j.step_ms,
    medianMs: j.median_ms,
    tokensPerS: j.tokens_per_s,
    detail: `torch ${j.torch}, BLAS ${j.blas}, ${j.threads} threads`,
  };
}

function parseArgs(argv: string[]): Args & { child?: [Engine, ConfigName] } {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const lastNumber = (name: string, dflt: number): number => {
    const i = argv.lastIndexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const configs = (get('configs') ?? 'a,b,c').split(',') as ConfigName[];
  const backends = (get('backends') ?? 'wasm-blas,wasm-xnnpack').split(',') as Engine[];
  if (argv.includes('--stock') && !backends.includes('wasm-stock')) backends.push('wasm-stock');
  const args: Args & { child?: [Engine, ConfigName] } = {
    configs,
    backends,
    repeats: lastNumber('repeats', 3),
    steps: lastNumber('steps', 8),
    warmup: lastNumber('warmup', 3),
    threads: lastNumber('threads', 2),
    torch: !argv.includes('--no-torch'),
    torchEnvInherit: get('torch-env') === 'inherit',
  };
  const c = argv.indexOf('--child');
  if (c >= 0) args.child = [argv[c + 1] as Engine, argv[c + 2] as ConfigName];
  return args;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== undefined) {
    await child(args.child[0], args.child[1], args);
    return;
  }
  console.log(
    `train-throughput: configs ${args.configs.join(',')}, engines ${[...(args.torch ? ['pytorch', 'pytorch-tuned'] : []), ...args.backends].join(',')}, ` +
      `${args.repeats} repeats × ${args.steps} timed steps after ${args.warmup} warm-up (cpu: 2 timed steps; cpu and wasm-stock: config a, one round), ${args.threads} threads`,
  );
  const torchSetting = args.torch ? checkTorchEnv(args) : { inherit: true, note: '' };
  if (args.torch) console.log(torchSetting.note);
  const loads = [(await import('node:os')).loadavg()[0] ?? 0];
  for (const config of args.configs) {
    const results = new Map<string, RunResult[]>();
    const failures: string[] = [];
    const PEERS = ['pytorch', 'pytorch-tuned'] as const;
    // ratios.get(peer).get(engine): per-round tokens/s ratios of engine to peer
    const ratios = new Map<string, Map<string, number[]>>(PEERS.map((p) => [p, new Map()]));
    for (let r = 0; r < args.repeats; r++) {
      const peers = new Map<string, RunResult>();
      if (args.torch) {
        for (const tuned of [false, true]) {
          const res = runTorch(config, args, torchSetting.inherit, tuned);
          if (typeof res === 'string') {
            failures.push(res);
            continue;
          }
          peers.set(res.engine, res);
          results.set(res.engine, [...(results.get(res.engine) ?? []), res]);
        }
      }
      for (const engine of args.backends) {
        // The slow engines (pure JS; stock wasm kernels) run once, on config a only.
        if ((engine === 'cpu' || engine === 'wasm-stock') && (config !== 'a' || r > 0)) continue;
        const res = runChild(engine, config, args, torchSetting.inherit);
        if (typeof res === 'string') {
          failures.push(res);
          continue;
        }
        results.set(engine, [...(results.get(engine) ?? []), res]);
        for (const [peer, p] of peers) {
          const byEngine = ratios.get(peer) as Map<string, number[]>;
          byEngine.set(engine, [...(byEngine.get(engine) ?? []), res.tokensPerS / p.tokensPerS]);
        }
        console.log(
          `  [${config} #${r + 1}] ${engine}: ${fmt(res.medianMs)} ms/step, ${fmt(res.tokensPerS)} tokens/s` +
            [...peers.values()].map((p) => `; ${p.engine} ${fmt(p.tokensPerS)}`).join(''),
        );
      }
      loads.push((await import('node:os')).loadavg()[0] ?? 0);
    }
    const { batch, seq } = CONFIGS[config];
    console.log(
      `\nconfig ${config} (${CONFIGS[config].preset}, batch ${batch} × seq ${seq} = ${batch * seq} tokens/step):`,
    );
    console.log(
      '  engine          median ms/step   tokens/s  peak RSS MB   vs pytorch / vs pytorch-tuned (median of per-round ratios)',
    );
    for (const [engine, runs] of results) {
      const ms = median(runs.map((x) => x.medianMs));
      const cols = PEERS.flatMap((peer) => {
        const ratio = ratios.get(peer)?.get(engine);
        return ratio === undefined
          ? []
          : [`${fmt(median(ratio), 2)}x (rounds: ${ratio.map((x) => fmt(x, 2)).join(', ')})`];
      });
      console.log(
        `  ${engine.padEnd(15)} ${fmt(ms).padStart(14)} ${fmt((batch * seq) / (ms / 1000)).padStart(10)} ` +
          `${fmt(Math.max(...runs.map((x) => x.peakRssMb ?? 0))).padStart(12)}   ` +
          (cols.length > 0 ? cols.join(' / ') : '—'),
      );
      console.log(`                  ${runs[runs.length - 1]?.detail ?? ''} (last round)`);
    }
    for (const f of failures) console.log(`  FAILED: ${f}`);
    for (const [engine, runs] of results) {
      const last = runs[runs.length - 1];
      if (last?.profile === undefined) continue;
      console.log(`  where one ${engine} step goes (exclusive ms per kernel, last round):`);
      for (const k of last.profile) {
        console.log(
          `    ${k.kernel.padEnd(34)} ${fmt(k.ms, 1).padStart(8)} ms  ${k.calls > 0 ? `${k.calls} calls` : ''}`,
        );
      }
    }
    console.log('');
  }
  console.log(
    `1-minute load average during the run: ${loads.map((l) => fmt(l, 1)).join(' → ')} (2 cores)`,
  );
}

await main();
