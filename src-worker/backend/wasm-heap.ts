/**
 * The WASM heap's guard: every tensor allocation is checked, and running out of memory fails
 * the command with one message (what did not fit, its size, the limit, what to do) instead of
 * hanging or dying with Emscripten's "Aborted()".
 *
 * Why it hung (issue 22): tfjs-backend-wasm's `BackendWasm.move` takes `_malloc(bytes) >>> 0`
 * as the tensor's address without checking it. Once the heap has reached its 4 GiB maximum,
 * `_malloc` returns 0, the tensor is registered at address 0, and the next kernel writes its
 * output over the start of linear memory: the C stack and static data, the allocator's state,
 * the pthread and XNNPACK thread-pool control blocks. Single-threaded, the corrupted allocator
 * then calls abort() ("Aborted()"); threaded, the pool's completion counters are overwritten,
 * so the calling thread waits forever for a task count that never reaches zero while the pool
 * thread spins: both at 100%, no error. `guardWasmHeap` wraps the module's `_malloc` so that a
 * failed allocation throws before anything is registered, and `move` so that the error names
 * the tensor.
 *
 * Exports: `guardWasmHeap`, `wasmHeapStats` / `resetWasmHeapPeak` (bytes the tensors hold,
 * their high-water mark, the heap's size and limit), `withMemoryStage` (names the stage in the
 * message and turns a WASM trap into the same message), `OutOfMemoryError`, `MEMORY_ADVICE`.
 */
import { PlwError } from '../../src-shared/errors';
import { MEMORY_ADVICE } from '../../src-shared/memory';

/** The WASM modules' `maximum` memory (both builds): 65,536 pages of 64 KiB. */
export const WASM_HEAP_MAX_BYTES = 4 * 1024 ** 3;

/**
 * Allocations that would leave less than this (or an eighth of a lower limit) below the limit
 * are refused: the C kernels
 * (XNNPACK's packed operands, transposes) allocate their scratch after the tensors, where a
 * failure cannot be caught.
 */
export const WASM_HEAP_RESERVE_BYTES = 64 * 1024 ** 2;

export { MEMORY_ADVICE };

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Running out of memory: one line saying what did not fit, where, the limit and what to do. */
export class OutOfMemoryError extends PlwError {
  constructor(message: string) {
    super('run_failed', message);
    this.name = 'OutOfMemoryError';
  }
}

/** Thrown by the guarded `_malloc`; `move` turns it into an OutOfMemoryError naming the tensor. */
class HeapAllocationFailed extends Error {
  constructor(readonly bytes: number) {
    super(`the WASM heap could not allocate ${bytes} bytes`);
  }
}

interface GuardedModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
}

interface GuardedBackend {
  wasm: GuardedModule;
  move(dataId: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
}

interface HeapState {
  module: GuardedModule;
  /** Effective limit: the module's maximum, or PLW_WASM_HEAP_LIMIT_MB when lower. */
  limit: number;
  live: Map<number, number>;
  inUse: number;
  peak: number;
}

let state: HeapState | null = null;
let stage = 'the training step';

/** The limit PLW_WASM_HEAP_LIMIT_MB sets (to rehearse a small machine), else the maximum. */
function configuredLimit(): number {
  const raw = process.env.PLW_WASM_HEAP_LIMIT_MB;
  if (raw === undefined || raw === '') return WASM_HEAP_MAX_BYTES;
  const mb = Number(raw);
  if (!(Number.isFinite(mb) && mb > 0)) {
    throw new PlwError(
      'bad_usage',
      `PLW_WASM_HEAP_LIMIT_MB: expected a positive number, got "${raw}"`,
    );
  }
  return Math.min(WASM_HEAP_MAX_BYTES, Math.floor(mb * 1024 ** 2));
}

function outOfMemory(what: string, bytes: number): OutOfMemoryError {
  const s = state;
  const held =
    s === null
      ? ''
      : ` the WASM heap holds ${formatBytes(s.inUse)} of tensors (heap ${formatBytes(s.module.HEAPU8.length)}) and cannot pass ${formatBytes(s.limit)};`;
  return new OutOfMemoryError(
    `out of memory in ${stage}: ${what} (${formatBytes(bytes)}) does not fit:${held} ${MEMORY_ADVICE}`,
  );
}

/**
 * Wraps the backend's `_malloc`/`_free` (count and check every tensor allocation) and `move`
 * (name the tensor when its allocation fails). Call once, after the wasm backend started.
 */
export function guardWasmHeap(backend: GuardedBackend): void {
  const module = backend.wasm;
  if (state?.module === module) return;
  // Emscripten's exports are lazy stubs that replace themselves on Module at their first call
  // (`_malloc = Module._malloc = asm.malloc`): call each once so the wrappers stay in place.
  module._free(module._malloc(8));
  const malloc = module._malloc;
  const free = module._free;
  const limit = configuredLimit();
  const s: HeapState = { module, limit, live: new Map(), inUse: 0, peak: 0 };
  const reserve = Math.min(WASM_HEAP_RESERVE_BYTES, Math.floor(limit / 8));
  state = s;
  module._malloc = (bytes: number): number => {
    if (bytes > 0 && s.inUse + bytes > s.limit - reserve) {
      throw new HeapAllocationFailed(bytes);
    }
    const ptr = malloc(bytes) >>> 0;
    if (bytes > 0 && ptr === 0) throw new HeapAllocationFailed(bytes);
    // Above the limit less the C kernels' reserve: give it back and fail here, catchably.
    if (ptr + bytes > s.limit - reserve) {
      free(ptr);
      throw new HeapAllocationFailed(bytes);
    }
    s.live.set(ptr, bytes);
    s.inUse += bytes;
    if (s.inUse > s.peak) s.peak = s.inUse;
    return ptr;
  };
  module._free = (ptr: number): void => {
    const key = ptr >>> 0;
    const bytes = s.live.get(key);
    if (bytes !== undefined) {
      s.live.delete(key);
      s.inUse -= bytes;
    }
    free(ptr);
  };
  const move = backend.move.bind(backend);
  backend.move = (dataId, values, shape, dtype, refCount) => {
    try {
      move(dataId, values, shape, dtype, refCount);
    } catch (err) {
      if (err instanceof HeapAllocationFailed) {
        throw outOfMemory(`a [${shape.join(', ')}] ${dtype} tensor`, err.bytes);
      }
      throw err;
    }
  };
}

export interface WasmHeapStats {
  /** Bytes tensors hold now. */
  inUse: number;
  /** High-water mark of `inUse` since the guard started or `resetWasmHeapPeak`. */
  peak: number;
  /** Size of the WASM linear memory (it only grows). */
  heapBytes: number;
  /** The effective limit. */
  limit: number;
}

/** The guarded heap's figures, or null when the wasm backend is not in use. */
export function wasmHeapStats(): WasmHeapStats | null {
  const s = state;
  if (s === null) return null;
  return { inUse: s.inUse, peak: s.peak, heapBytes: s.module.HEAPU8.length, limit: s.limit };
}

export function resetWasmHeapPeak(): void {
  if (state !== null) state.peak = state.inUse;
}

/** The memory limit the preflight checks against on the wasm backend (null: not guarded). */
export function wasmHeapLimit(): number | null {
  return state?.limit ?? null;
}

/** WebAssembly.RuntimeError: Emscripten's abort() or a trap (out-of-bounds access, unreachable). */
function isWasmTrap(err: unknown): err is Error {
  return err instanceof Error && err.constructor.name === 'RuntimeError';
}

/**
 * Runs `fn` with `name` as the stage out-of-memory messages name ("the forward and backward
 * pass of micro-batch 2 of 4, [2, 256] tokens"); a WASM trap inside it (Emscripten's abort, an
 * out-of-bounds access) becomes an OutOfMemoryError-style message too, since on this path a
 * trap follows memory running out.
 */
export function withMemoryStage<T>(name: string, fn: () => T): T {
  const previous = stage;
  stage = name;
  try {
    return fn();
  } catch (err) {
    if (isWasmTrap(err)) {
      const first = (err.message.split('\n')[0] ?? '').replace(
        / Build with -s\S+ for more info\./,
        '',
      );
      const s = state;
      const held =
        s === null
          ? ''
          : ` with ${formatBytes(s.inUse)} of tensors on a heap of ${formatBytes(s.module.HEAPU8.length)} (limit ${formatBytes(s.limit)})`;
      throw new OutOfMemoryError(
        `the WASM module failed in ${name} (${first})${held}, most likely out of memory: ${MEMORY_ADVICE}`,
      );
    }
    throw err;
  } finally {
    stage = previous;
  }
}
