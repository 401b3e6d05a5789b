import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The machine as far as worker placement cares. */
export interface Hardware {
  cores: number;
  /** CUDA devices (indices as CUDA_VISIBLE_DEVICES names them); empty on CPU-only machines. */
  gpus: string[];
}

/**
 * CUDA devices seen by `nvidia-smi -L` (absent on machines without an NVIDIA driver). An
 * existing CUDA_VISIBLE_DEVICES restricts the choice, as CUDA itself would.
 */
export function detectHardware(env: NodeJS.ProcessEnv = process.env): Hardware {
  const cores = availableParallelism();
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) {
    const ids = visible
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== '-1');
    return { cores, gpus: ids };
  }
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return { cores, gpus: [] };
  const gpus = r.stdout
    .split('\n')
    .filter((l) => /^GPU \d+:/.test(l))
    .map((l) => /^GPU (\d+):/.exec(l)![1]!);
  return { cores, gpus };
}

/**
 * Default `--workers`: one per GPU; on CPU, one per two cores, because each worker's kernels
 * already use several threads and more workers than that only fight over the same cores.
 */
export function defaultWorkers(hw: Hardware): number {
  if (hw.gpus.length > 0) return hw.gpus.length;
  return Math.max(1, Math.floor(hw.cores / 2));
}

/**
 * Workers for the demo, whose model is tiny (0.77M parameters): on CPU, one single-threaded
 * worker per core up to two, as elementwise kernels, softmax and Adam run on one thread and two
 * such workers train about 1.5x the tokens of one two-threaded worker (docs/PERF-NOTES.md
 * "Kernel fixes: why stock WASM was slow"). Never fewer than `defaultWorkers`.
 */
export function demoWorkers(hw: Hardware): number {
  const base = defaultWorkers(hw);
  return hw.gpus.length > 0 ? base : Math.max(base, Math.min(2, hw.cores));
}

/**
 * Environment of worker slot `slot` of `workers`: its GPU (round-robin, so asking for more
 * workers than cards shares them, with TensorFlow's allow-growth so neither grabs the whole
 * card), or its share of the cores for the CPU and WASM backends' thread pools.
 */
export function workerEnv(hw: Hardware, slot: number, workers: number): Record<string, string> {
  if (hw.gpus.length > 0) {
    return {
      CUDA_VISIBLE_DEVICES: hw.gpus[slot % hw.gpus.length]!,
      TF_FORCE_GPU_ALLOW_GROWTH: 'true',
    };
  }
  const threads = String(Math.max(1, Math.floor(hw.cores / workers)));
  return {
    // src-worker/backend sizes the WASM thread pool as cores / PLW_WORKERS.
    PLW_WORKERS: String(workers),
    OMP_NUM_THREADS: threads,
    TF_NUM_INTRAOP_THREADS: threads,
    TF_NUM_INTEROP_THREADS: '1',
  };
}
