import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/**
 * The threaded WASM binary under Node (docs/PERF-NOTES.md "Kernel fixes", fix 6: a 512³ sgemm 32 → 60 GFLOP/s on
 * 2 threads). tfjs-backend-wasm never uses it in Node: its feature test returns false there,
 * and even forced, it hands Emscripten `blob:` URLs for the pthread worker script and the
 * module factory, which Node's worker_threads cannot load. So we start the module ourselves
 * with both written to real files, then wrap it in the package's own BackendWasm.
 */

interface EmscriptenConfig {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  onAbort(what: unknown): void;
}

type Cwrap = (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;

interface NodeWorker {
  unref?(): void;
}

interface ThreadedModule {
  cwrap: Cwrap;
  tfjs?: Record<string, (...a: number[]) => number>;
  PThread?: { runningWorkers?: NodeWorker[]; unusedWorkers?: NodeWorker[] };
}

/**
 * Lets the process exit while the pool's threads idle. Emscripten unrefs a Node worker only
 * when its thread ends, and XNNPACK's pool threads never end: without this, `plw train` would
 * finish its work and then hang.
 */
function unrefWorkers(module: ThreadedModule): void {
  const pthread = module.PThread;
  for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) {
    w.unref?.();
  }
}

type Factory = (config: EmscriptenConfig) => Promise<ThreadedModule>;

function wasmPackageDir(): string {
  return dirname(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
}

/** Writes `text` to `file` unless it is already there (atomic rename: N workers race here). */
function writeOnce(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/**
 * The pthread worker script and the module factory as files, in a folder keyed by their
 * content. The factory source is the one the package embeds (so main thread and workers run
 * identical code), with Emscripten's pool of pre-spawned workers cut from 8 to what the
 * thread pool needs: each worker is a Node isolate, and a sweep runs several processes.
 */
function writeThreadFiles(
  factory: Factory,
  workerText: string,
  poolSize: number,
): { main: string; worker: string } {
  const source = factory.toString();
  const poolMarker = 'var pthreadPoolSize=8;';
  if (!source.includes(poolMarker))
    throw new Error('unexpected threaded module source (pool size)');
  // The C side caps XNNPACK's pool at logical cores / 2 (it assumes hyper-threading), i.e. one
  // thread on a 2-vCPU machine; the caller already chose the count (defaultThreads), so report
  // twice that as the core count.
  const coresMarker =
    'function _emscripten_num_logical_cores(){if(ENVIRONMENT_IS_NODE)return require("os").cpus().length;';
  if (!source.includes(coresMarker)) {
    throw new Error('unexpected threaded module source (core count)');
  }
  // Node workers inherit the parent's execArgv (loaders, --input-type, …), which can stop the
  // plain CommonJS worker script from loading; it needs none of them.
  const workerMarker = 'worker=new Worker(pthreadMainJs)';
  if (!source.includes(workerMarker)) {
    throw new Error('unexpected threaded module source (worker creation)');
  }
  const patched = source
    .replace(workerMarker, 'worker=new Worker(pthreadMainJs,{execArgv:[]})')
    .replace(poolMarker, `var pthreadPoolSize=${poolSize};`)
    .replace(
      coresMarker,
      `function _emscripten_num_logical_cores(){if(ENVIRONMENT_IS_NODE)return ${2 * poolSize};`,
    );
  const mainText =
    `var WasmBackendModuleThreadedSimd = ${patched};\n` +
    // Workers eval this file in their global scope, where `module` does not exist.
    `if (typeof module === 'object' && module.exports) module.exports = WasmBackendModuleThreadedSimd;\n`;
  const hash = createHash('sha256').update(mainText).update(workerText).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `plw-tfjs-wasm-threads-${hash}`);
  mkdirSync(dir, { recursive: true });
  const main = join(dir, 'tfjs-backend-wasm-threaded-simd.cjs');
  const worker = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  writeOnce(main, mainText);
  writeOnce(worker, workerText);
  return { main, worker };
}

/** Instantiates the threaded module like the package's init() does, from files. */
async function instantiateThreaded(threads: number): Promise<ThreadedModule> {
  const pkg = wasmPackageDir();
  const stockFactory = require(
    join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
  ) as Factory;
  const { wasmWorkerContents } = require(
    join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents?: unknown };
  if (typeof wasmWorkerContents !== 'string') {
    throw new Error('tfjs-backend-wasm ships no pthread worker script');
  }
  // The package escapes newlines the same way before making its blob: the exported text has
  // raw newlines inside string literals.
  const files = writeThreadFiles(stockFactory, wasmWorkerContents.replace(/\n/g, '\\n'), threads);
  const factory = require(files.main) as Factory;
  const wasmFile = join(pkg, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  let aborted: unknown = null;
  const module = await factory({
    locateFile: (path) =>
      path.endsWith('.worker.js') ? files.worker : path.endsWith('.wasm') ? wasmFile : path,
    mainScriptUrlOrBlob: files.main,
    onAbort: (what) => {
      aborted = what;
    },
  });
  if (aborted !== null) throw new Error(`threaded WASM module aborted: ${String(aborted)}`);
  // The same bridge the package's init() installs.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Makes `tf.setBackend('wasm')` start the threaded module. Returns a function that restores
 * the stock (single-threaded) factory, for the fallback when threads fail to start.
 */
export function useThreadedWasmFactory(threads: number): () => void {
  const stock = tf.findBackendFactory('wasm');
  if (stock === null) throw new Error('the wasm backend is not registered');
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await instantiateThreaded(threads);
      // The constructor creates XNNPACK's pthreadpool, i.e. starts the pool's threads.
      const backend = new BackendWasm(
        module as unknown as ConstructorParameters<typeof BackendWasm>[0],
      );
      unrefWorkers(module);
      return backend;
    },
    2,
  );
  return () => {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', stock, 2);
  };
}
