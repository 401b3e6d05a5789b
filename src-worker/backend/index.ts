/**
 * Compute backend selection for workers (docs/ARCHITECTURE.md "Compute backend"): `initBackend`
 * starts the fastest TensorFlow.js backend that loads — tfjs-node-gpu, tfjs-node, WebGPU over
 * Dawn on a hardware GPU (./webgpu.ts), WASM (SIMD,
 * threaded in Node, with the PLW kernel overrides of ./wasm-kernels/) with its matrix products
 * in OpenBLAS (./blas.ts), the same with XNNPACK's, then the pure-JS CPU backend — and reports
 * which one and why the others were skipped.
 */
import { hostname } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { UsageError } from '../../src-shared/errors';
import type { WorkerHello } from '../../src-shared/protocol';
import { loadBlas } from './blas';
import { loadNative, type NativePackage } from './native';
import { setBackendOrThrow } from './set-backend';
import {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  type SkippedBackend,
  WASM_ALIAS,
  WASM_BACKENDS,
} from './types';
import { assertPinnedTfjsVersion } from './version';
import { defaultThreads, startWasm } from './wasm';
import { describeAdapter } from './webgpu-adapter';

export type { BackendInfo, BackendName, InitBackendOptions, SkippedBackend } from './types';
export { BACKEND_NAMES } from './types';

const NATIVE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', NativePackage> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

type Started = Pick<
  BackendInfo,
  'tfBackend' | 'threads' | 'threadsNote' | 'kernelOverrides' | 'blas' | 'gpu'
>;

async function start(name: BackendName, options: InitBackendOptions): Promise<Started> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      await loadNative(NATIVE_PACKAGE[name]);
      await setBackendOrThrow('tensorflow');
      return { tfBackend: 'tensorflow' };
    case 'webgpu': {
      // Loaded on demand: Dawn is 20 MB of native code that most CPU-only runs never need.
      const { startWebGpu } = await import('./webgpu');
      const started = await startWebGpu(options.backend === 'webgpu');
      return { tfBackend: 'webgpu', gpu: started.adapter };
    }
    case 'wasm-blas': {
      // Loaded before the WASM module starts: when it fails, nothing has started yet.
      const threads = options.threads ?? defaultThreads();
      const loaded = loadBlas(threads);
      const started = await startWasm(threads, options.kernelOverrides ?? true, loaded.blas);
      const blas = { coreType: loaded.coreType, threads: loaded.threads, note: loaded.note };
      return { tfBackend: 'wasm', ...started, blas };
    }
    case 'wasm-xnnpack': {
      const started = await startWasm(
        options.threads ?? defaultThreads(),
        options.kernelOverrides ?? true,
      );
      return { tfBackend: 'wasm', ...started };
    }
    case 'cpu':
      await setBackendOrThrow('cpu');
      return { tfBackend: 'cpu' };
  }
}

/** The backends `--backend value` may start, in order (`wasm`: either WASM backend). */
function parseBackendName(value: string): readonly BackendName[] {
  if (value === WASM_ALIAS) return WASM_BACKENDS;
  const name = BACKEND_NAMES.find((n) => n === value);
  if (name === undefined) {
    throw new UsageError(
      `--backend: unknown backend "${value}"; expected one of ${[...BACKEND_NAMES, WASM_ALIAS].join(', ')}`,
    );
  }
  return [name];
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/**
 * `PLW_BACKEND`: the backend when no `--backend` is given, so that every process a command,
 * the app or `plw worker` starts (cells' fork hosts, the Electron utility process) runs on the
 * same one: `PLW_BACKEND=webgpu plw serve` trains every cell on webgpu.
 */
function backendFromEnv(options: InitBackendOptions): InitBackendOptions {
  const env = process.env['PLW_BACKEND'];
  if (options.backend !== undefined || env === undefined || env === '') return options;
  return { ...options, backend: env };
}

async function choose(requested: InitBackendOptions): Promise<BackendInfo> {
  assertPinnedTfjsVersion();
  const options = backendFromEnv(requested);
  if (
    options.threads !== undefined &&
    !(Number.isInteger(options.threads) && options.threads >= 1)
  ) {
    throw new UsageError(`--threads: expected an integer >= 1, got ${options.threads}`);
  }
  if (options.backend !== undefined) {
    const forced = options.backend;
    const names = parseBackendName(forced);
    const skipped: SkippedBackend[] = [];
    for (const name of names) {
      try {
        const started = await start(name, options);
        const how =
          requested.backend === undefined ? `PLW_BACKEND=${forced}` : `--backend ${forced}`;
        return { name, ...started, reason: `forced with ${how}`, skipped };
      } catch (err) {
        skipped.push({ name, why: errorText(err) });
      }
    }
    const why = skipped.map((s) => (names.length > 1 ? `${s.name}: ${s.why}` : s.why)).join('; ');
    throw new UsageError(`--backend ${forced}: cannot load it: ${why}`);
  }
  const skipped: SkippedBackend[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      const started = await start(name, options);
      const reason =
        skipped.length === 0
          ? 'the fastest backend, and it loaded'
          : `the fastest backend that loaded (${skipped.map((s) => s.name).join(', ')} did not)`;
      return { name, ...started, reason, skipped };
    } catch (err) {
      skipped.push({ name, why: errorText(err) });
    }
  }
  throw new Error(
    `no TensorFlow.js backend loaded: ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`,
  );
}

let chosen: { options: InitBackendOptions; info: Promise<BackendInfo> } | null = null;

/**
 * The CPU backend prints "Hi, looks like you are running TensorFlow.js in Node.js … install our
 * node backend" on its first write in Node, even when another backend is active and only a
 * small host tensor lands on it. Every plw command and worker log already says which backend
 * runs and why the native ones were skipped (describeBackend), so the banner is only noise on
 * stderr: mark the CPU backend as used.
 */
function quietCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/**
 * Picks and starts the compute backend once per process: tfjs-node-gpu, tfjs-node, WASM (SIMD,
 * threads where they start), then the pure-JS CPU backend; `options.backend` forces one.
 * Later calls return the same info; asking for a different forced backend afterwards throws,
 * since tfjs holds one active backend and tensors already live on it.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  if (chosen === null) {
    const info = choose(options).then((i) => {
      quietCpuBanner();
      return i;
    });
    chosen = { options, info };
    info.catch(() => {
      if (chosen?.info === info) chosen = null;
    });
    return info;
  }
  const first = chosen;
  if (options.backend !== undefined && options.backend !== first.options.backend) {
    return first.info.then((info) => {
      if (info.name === options.backend) return info;
      if (options.backend === WASM_ALIAS && info.tfBackend === 'wasm') return info;
      throw new UsageError(
        `--backend ${options.backend}: the ${info.name} backend is already in use in this process`,
      );
    });
  }
  return first.info;
}

/**
 * One line for logs: `wasm-blas (2 threads; OpenBLAS SkylakeX: …): the fastest backend that
 * loaded (…); skipped tensorflow-gpu: …; tensorflow: …`.
 */
export function describeBackend(info: BackendInfo): string {
  const parts: string[] = [];
  if (info.threads !== undefined) {
    parts.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  }
  if (info.blas !== undefined) {
    parts.push(
      `OpenBLAS ${info.blas.coreType}, ${info.blas.threads} thread${info.blas.threads === 1 ? '' : 's'}: ${info.blas.note}`,
    );
  }
  if (info.threadsNote !== undefined) parts.push(info.threadsNote);
  if (info.gpu !== undefined) parts.push(`adapter ${describeAdapter(info.gpu)}`);
  const threads = parts.length === 0 ? '' : ` (${parts.join('; ')})`;
  const skipped =
    info.skipped.length === 0
      ? ''
      : `; skipped ${info.skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`;
  return `${info.name}${threads}: ${info.reason}${skipped}`;
}

/** What a worker says when it opens (src-shared/protocol.ts workerHelloSchema). */
export function workerHello(name: string, info: BackendInfo): WorkerHello {
  return {
    name,
    host: hostname(),
    pid: process.pid,
    backend: {
      name: info.name,
      reason: info.reason,
      skipped: info.skipped.map((s) => ({ name: s.name, why: s.why })),
      threads: info.threads ?? null,
      blas:
        info.blas === undefined
          ? null
          : { coreType: info.blas.coreType, threads: info.blas.threads, note: info.blas.note },
      ...(info.gpu === undefined ? {} : { gpu: { ...info.gpu } }),
    },
    startedAt: Date.now(),
  };
}
