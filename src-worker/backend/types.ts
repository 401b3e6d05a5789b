import type { AdapterSummary } from './webgpu-adapter';

/**
 * The backends PLW Studio can run on, fastest first (docs/ARCHITECTURE.md "Compute backend").
 * `webgpu` runs TensorFlow.js's WebGPU backend over Dawn (Vulkan, Metal, D3D12): picked by
 * default only on a hardware adapter (./webgpu.ts). Both `wasm-*` run TensorFlow.js's WASM backend with the PLW kernels; they differ in who
 * computes the matrix products: OpenBLAS through the plw-blas addon (`wasm-blas`), or
 * XNNPACK inside the WASM module (`wasm-xnnpack`, where the addon is not built).
 */
export const BACKEND_NAMES = [
  'tensorflow-gpu',
  'tensorflow',
  'webgpu',
  'wasm-blas',
  'wasm-xnnpack',
  'cpu',
] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

/** `--backend wasm`: the first of these that loads (the name before OpenBLAS came in). */
export const WASM_ALIAS = 'wasm';
export const WASM_BACKENDS: readonly BackendName[] = ['wasm-blas', 'wasm-xnnpack'];

export interface InitBackendOptions {
  /** Force one backend (`--backend NAME`); loading it must succeed or initBackend throws. */
  backend?: BackendName | string;
  /**
   * WASM threads (XNNPACK thread pool). Default: the cores this worker may use, i.e. the
   * logical cores divided by `PLW_WORKERS` (the scheduler's concurrency), so N workers of a
   * sweep do not oversubscribe the machine.
   */
  threads?: number;
  /**
   * WASM only: register the PLW kernel overrides (default true). Off only to measure the stock
   * kernels (bench/train-throughput.ts).
   */
  kernelOverrides?: boolean;
}

/** A backend that was not chosen, and why: shown in a cell's log and the UI. */
export interface SkippedBackend {
  name: BackendName;
  why: string;
}

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why this one: forced by the user, or the first in the order that loaded. */
  reason: string;
  /** Backends tried before this one and why they were not used, in order. */
  skipped: SkippedBackend[];
  /** WASM only: XNNPACK threads actually in use. */
  threads?: number;
  /** WASM only: why threads are fewer than asked (e.g. the threaded binary failed to start). */
  threadsNote?: string;
  /** WASM only: whether the PLW kernel overrides are registered. */
  kernelOverrides?: boolean;
  /** wasm-blas only: OpenBLAS's core type (kernels), its threads, and how the type was chosen. */
  blas?: { coreType: string; threads: number; note: string };
  /** webgpu only: the adapter (vendor, architecture, description) and its limits. */
  gpu?: AdapterSummary;
}
