import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { setBackendOrThrow } from './set-backend';
import { useThreadedWasmFactory } from './wasm-threads';
import type { PlwBlas } from './blas';
import { registerBlasBatchMatMul, registerWasmKernelOverrides } from './wasm-kernels/index';
import { asWasmBackend, checkWasmInternals } from './wasm-kernels/internals';
import { guardWasmHeap } from './wasm-heap';

const require = createRequire(import.meta.url);

/** Folder of the shipped `.wasm` binaries (node_modules/@tensorflow/tfjs-backend-wasm/dist/). */
export function wasmDistDir(): string {
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Default XNNPACK threads: this worker's share of the cores. A sweep runs `PLW_WORKERS`
 * workers at once (set by the scheduler); each taking every core would oversubscribe them.
 */
export function defaultThreads(): number {
  const workers = Number(process.env.PLW_WORKERS ?? '1');
  const share = Math.floor(
    availableParallelism() / (Number.isFinite(workers) && workers > 0 ? workers : 1),
  );
  return Math.max(1, share);
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

export interface WasmStart {
  threads: number;
  threadsNote?: string;
  kernelOverrides: boolean;
}

/**
 * Starts the WASM backend from the binaries in node_modules (file paths: Node has no fetch of
 * relative URLs), threaded when more than one thread is asked for and the threaded module
 * starts (./wasm-threads.ts), else single-threaded with the reason in `threadsNote`. With
 * `blas` (./blas.ts), OpenBLAS computes every BatchMatMul instead of XNNPACK.
 */
export async function startWasm(
  requestedThreads: number,
  kernelOverrides = true,
  blas?: PlwBlas,
): Promise<WasmStart> {
  const dir = wasmDistDir();
  setWasmPaths({
    'tfjs-backend-wasm.wasm': join(dir, 'tfjs-backend-wasm.wasm'),
    'tfjs-backend-wasm-simd.wasm': join(dir, 'tfjs-backend-wasm-simd.wasm'),
    'tfjs-backend-wasm-threaded-simd.wasm': join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
  });
  if (kernelOverrides) registerWasmKernelOverrides();
  const restoreMatMul = blas === undefined ? null : registerBlasBatchMatMul(blas);
  try {
    const started = await startModule(requestedThreads, kernelOverrides || blas !== undefined);
    return { ...started, kernelOverrides };
  } catch (err) {
    restoreMatMul?.();
    throw err;
  }
}

/** Starts the (threaded if asked) module; `checkInternals` when PLW kernels will reach into it. */
async function startModule(
  requestedThreads: number,
  checkInternals: boolean,
): Promise<Omit<WasmStart, 'kernelOverrides'>> {
  let threadsNote: string | undefined;
  let started = false;
  if (requestedThreads > 1) {
    const restoreStock = useThreadedWasmFactory(requestedThreads);
    setThreadsCount(requestedThreads);
    try {
      await setBackendOrThrow('wasm');
      started = true;
    } catch (err) {
      restoreStock();
      threadsNote = `threaded WASM did not start (${errorText(err)}); running single-threaded`;
    }
  }
  if (!started) {
    setThreadsCount(1);
    await setBackendOrThrow('wasm');
  }
  if (checkInternals) {
    const problem = checkWasmInternals(asWasmBackend(tf.backend()));
    if (problem !== null) throw new Error(`the PLW wasm kernels cannot run: ${problem}`);
  }
  // Every tensor allocation checked: a full heap fails with a message, never corrupts memory.
  guardWasmHeap(tf.backend() as unknown as Parameters<typeof guardWasmHeap>[0]);
  const threads = getThreadsCount();
  if (threadsNote === undefined && threads < requestedThreads) {
    threadsNote = `asked for ${requestedThreads} threads, XNNPACK runs ${threads}`;
  }
  return threadsNote === undefined ? { threads } : { threads, threadsNote };
}
