import { util, type DataType, type TensorInfo } from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The parts of tfjs-backend-wasm 4.22.0 the overrides use. None of it is public API (the
 * package's own typings point at files it does not ship), which is why the version is pinned
 * and checked at startup (../version.ts). Shapes from dist/tf-backend-wasm.node.js.
 */
export interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  /** Exported C function; `_BatchMatMul` is the stock kernel's entry point. */
  _BatchMatMul(
    aId: number,
    aShapePtr: number,
    aShapeLen: number,
    bId: number,
    bShapePtr: number,
    bShapeLen: number,
    transposeA: number,
    transposeB: number,
    outId: number,
  ): void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** BackendWasm as the kernels see it. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Narrows the `{}` a kernel receives to the wasm backend; throws if it is anything else. */
export function asWasmBackend(backend: object): WasmBackend {
  if (!(backend instanceof BackendWasm)) {
    throw new Error('PLW wasm kernel called with a backend that is not BackendWasm');
  }
  return backend as unknown as WasmBackend;
}

/** The fields the overrides rely on exist (a cheap check that the internals did not move). */
export function checkWasmInternals(b: WasmBackend): string | null {
  const w = b.wasm as Partial<WasmModule> | undefined;
  if (w === undefined || w === null) return 'BackendWasm.wasm is missing';
  for (const fn of ['_malloc', '_free', '_BatchMatMul'] as const) {
    if (typeof w[fn] !== 'function') return `wasm module lacks ${fn}`;
  }
  if (typeof w.tfjs?.registerTensor !== 'function') return 'wasm module lacks tfjs.registerTensor';
  if (typeof b.dataIdNextNumber !== 'number') return 'BackendWasm.dataIdNextNumber is missing';
  if (typeof b.dataIdMap?.get !== 'function') return 'BackendWasm.dataIdMap is missing';
  return null;
}

export function tensorData(b: WasmBackend, t: TensorInfo): WasmTensorData {
  const d = b.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error('tensor is not on the wasm backend (disposed?)');
  return d;
}

/** A tensor's byte offset on the heap, unsigned (`>>> 0`: heaps pass the 2 GB mark). */
export function heapOffset(b: WasmBackend, t: TensorInfo): number {
  return tensorData(b, t).memoryOffset >>> 0;
}

/**
 * Typed view of a tensor's elements on the heap. Offsets are unsigned (`>>> 0`) and element
 * indices use `>>> 2`, so tensors above the 2 GB mark still resolve (docs/PERF-NOTES.md "Facts that shaped the code").
 */
export function heapView(b: WasmBackend, t: TensorInfo): Float32Array | Int32Array | Uint8Array {
  const size = util.sizeFromShape(t.shape);
  const offset = heapOffset(b, t);
  switch (t.dtype) {
    case 'float32':
      return b.wasm.HEAPF32.subarray(offset >>> 2, (offset >>> 2) + size);
    case 'int32':
      return b.wasm.HEAP32.subarray(offset >>> 2, (offset >>> 2) + size);
    case 'bool':
      return b.wasm.HEAPU8.subarray(offset, offset + size);
    default:
      throw new Error(`PLW wasm kernels do not handle dtype ${t.dtype}`);
  }
}

/**
 * Registers `size` elements at `byteOffset` under a fresh tensor id so C kernels can read or
 * write a window of a larger buffer. The caller must `releaseAlias` it (C side only: the
 * memory belongs to the parent tensor).
 */
export function aliasWindow(b: WasmBackend, byteOffset: number, size: number): number {
  const id = b.dataIdNextNumber++;
  b.wasm.tfjs.registerTensor(id, size, byteOffset);
  return id;
}

/** Forgets an alias id; also drops any XNNPACK operator cached on it (packed weights). */
export function releaseAlias(b: WasmBackend, id: number): void {
  b.wasm.tfjs.disposeData(id);
}
