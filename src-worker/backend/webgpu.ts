/**
 * The `webgpu` backend: TensorFlow.js's WebGPU backend in this process, over Dawn's Node
 * bindings (`webgpu` package). Order of start-up, which matters:
 * 1. Dawn's globals (GPUBufferUsage, GPUBuffer…) and `navigator.gpu` are set and an adapter is
 *    found (`webgpu-adapter.ts`), before tfjs-backend-webgpu is imported;
 * 2. the backend's own factory is replaced by ours, which asks the device for the adapter's
 *    limits tfjs needs but does not request: maxStorageBuffersPerShaderStage (Dawn's default is
 *    8; AddN and concat bind one buffer per input) besides the buffer sizes;
 * 3. guards go on the backend instance so nothing fails silently. A WebGPU validation error
 *    is reported asynchronously and the failed command does nothing (a zero or stale tensor),
 *    so: every program is checked before it is recorded (bound buffers against
 *    maxStorageBuffersPerShaderStage, every tensor's bytes against maxBufferSize and
 *    maxStorageBufferBindingSize: one message naming the tensor, its size and the limit);
 *    `uncapturederror` events are collected and rethrown by the next program or read; a lost
 *    device fails every later program and read with `WebGpuDeviceLost`.
 *
 * Determinism: tfjs-webgpu's UnsortedSegmentSum (gather's gradient, not used by the PLW model,
 * which embeds with one-hot products) and its split-K matMul (chosen for products with a long
 * inner dimension and a small output) add with atomics, so such sums may differ in the last
 * bits from run to run. The backend promises results within float32 rounding of the reference
 * (the tolerances of test/backend/webgpu-*.test.ts), not bitwise repeatability; the WASM
 * backends stay bitwise deterministic.
 */
/// <reference types="@webgpu/types" />
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { PlwError } from '../../src-shared/errors';
import { setBackendOrThrow } from './set-backend';
import {
  ADAPTER_OPTIONS,
  formatBytes,
  probeAdapterInChild,
  summarizeAdapter,
  webgpuPackageUrl,
  type AdapterSummary,
} from './webgpu-adapter';

export type { AdapterSummary } from './webgpu-adapter';

/** What tfjs-webgpu's backend instance exposes that the guards wrap (its public class). */
interface TfWebGpuBackend {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { shape: number[]; dtype: string } | undefined };
  runWebGPUProgram(
    program: { outputShape: number[]; constructor: { name: string } },
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: unknown,
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  read(dataId: object): Promise<tf.backend_util.BackendValues>;
}

/** A device-side failure the backend turned into an exception. */
export class WebGpuError extends PlwError {
  constructor(message: string) {
    super('run_failed', message);
    this.name = 'WebGpuError';
  }
}

/** The GPU device was lost (driver reset, GPU removed, out of memory in the driver…). */
export class WebGpuDeviceLost extends WebGpuError {
  constructor(reason: string) {
    super(
      `the GPU device was lost (${reason}); the run stops here: retrying the cell resumes from its last checkpoint`,
    );
    this.name = 'WebGpuDeviceLost';
  }
}

export interface WebGpuStarted {
  adapter: AdapterSummary;
}

interface Session {
  device: GPUDevice;
  adapter: AdapterSummary;
  /** Validation / out-of-memory errors reported since the last check. */
  pending: string[];
  lost: string | null;
}

let session: Session | null = null;
/** The kernel running now (innermost), for messages: tfjs programs do not know their kernel. */
const kernelStack: string[] = [];
let kernelsWrapped = false;

const BYTES_PER_ELEMENT = 4; // tfjs-webgpu stores float32, int32 and bool in 4 bytes

/** The adapter of the running webgpu backend, or null when it is not started. */
export function webgpuAdapter(): AdapterSummary | null {
  return session?.adapter ?? null;
}

/**
 * Starts the webgpu backend. Unless `forced`, only on a hardware adapter: a software one
 * (SwiftShader, lavapipe) is rejected with the reason, so the selection goes on to WASM.
 * @throws Error with the reason when no adapter is found or the backend does not start.
 */
export async function startWebGpu(forced: boolean): Promise<WebGpuStarted> {
  if (!forced) {
    // The probe runs out of process: no Dawn driver chatter on this process's stderr.
    const probe = await probeAdapterInChild();
    if (probe.adapter === null) throw new Error(probe.why);
    if (probe.adapter.software !== null) {
      throw new Error(
        `${probe.adapter.vendor} ${probe.adapter.architecture} is ${probe.adapter.software}; ` +
          'it is used only with --backend webgpu',
      );
    }
  }
  const url = webgpuPackageUrl();
  // Without it, the Vulkan loader's Wayland probe prints "XDG_RUNTIME_DIR is invalid or not
  // set" on stderr (and takes ~0.4 s longer); it is read once, when Dawn creates its instance.
  process.env['XDG_RUNTIME_DIR'] ??= tmpdir();
  const { create, globals } = (await import(/* @vite-ignore */ url)) as {
    create(options: string[]): GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
  const adapter = await gpu.requestAdapter(ADAPTER_OPTIONS);
  if (adapter === null) throw new Error('Dawn found no WebGPU adapter');
  // tfjs pins an older @webgpu/types without GPUAdapter.info; Dawn has it.
  const adapterInfo = (adapter as unknown as { info: GPUAdapterInfo }).info;
  const summary = summarizeAdapter({ info: adapterInfo, limits: adapter.limits });
  if (!forced && summary.software !== null) {
    throw new Error(`${summary.vendor} ${summary.architecture} is ${summary.software}`);
  }
  // Imported only now: it registers the backend only when navigator.gpu exists.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        },
      });
      const s: Session = { device, adapter: summary, pending: [], lost: null };
      device.addEventListener('uncapturederror', (event) => {
        const error = (event as GPUUncapturedErrorEvent).error;
        s.pending.push(error.message.split('\n')[0] ?? String(error));
      });
      void device.lost.then((info) => {
        s.lost = `${info.reason}: ${info.message.split('\n')[0] ?? ''}`;
      });
      if (session === null) {
        // Dawn's teardown at exit races SwiftShader's / the driver's threads when work is still
        // queued (a segfault now and then after an error); a destroyed device stops them first.
        process.once('exit', () => session?.device.destroy());
      }
      session = s;
      const backend = new WebGPUBackend(device, adapterInfo);
      guard(backend as unknown as TfWebGpuBackend, s);
      return backend;
    },
    0,
  );
  wrapKernels();
  await setBackendOrThrow('webgpu');
  return { adapter: summary };
}

/** Throws what the device reported since the last check (a lost device first). */
function throwPending(s: Session): void {
  if (s.lost !== null) throw new WebGpuDeviceLost(s.lost);
  if (s.pending.length > 0) {
    const errors = s.pending.splice(0);
    throw new WebGpuError(
      `the GPU rejected a command (${errors.length} error${errors.length === 1 ? '' : 's'}): ${errors[0]}`,
    );
  }
}

function currentKernel(fallback: string): string {
  return kernelStack[kernelStack.length - 1] ?? fallback;
}

/** One message naming the tensor, its size and the limit it exceeds. */
function checkTensorSize(
  s: Session,
  shape: readonly number[],
  dtype: string,
  what: () => string,
): void {
  const bytes = tf.util.sizeFromShape(shape as number[]) * BYTES_PER_ELEMENT;
  const limit = Math.min(s.adapter.maxBufferSize, s.adapter.maxStorageBufferBindingSize);
  if (bytes > limit) {
    const name =
      s.adapter.maxBufferSize <= s.adapter.maxStorageBufferBindingSize
        ? 'maxBufferSize'
        : 'maxStorageBufferBindingSize';
    throw new WebGpuError(
      `${what()} [${shape.join(', ')}] ${dtype} needs ${formatBytes(bytes)}, more than this ` +
        `GPU's ${name} of ${formatBytes(limit)} (${s.adapter.vendor} ${s.adapter.architecture}): ` +
        'use a smaller batch, sequence or vocabulary',
    );
  }
}

function guard(backend: TfWebGpuBackend, s: Session): void {
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (program, inputs, outputDtype, uniforms, output) => {
    throwPending(s);
    const kernel = currentKernel(program.constructor.name);
    const bound = inputs.length + 1;
    if (bound > s.adapter.maxStorageBuffersPerShaderStage) {
      throw new WebGpuError(
        `${kernel} would bind ${bound} tensors (${inputs.length} inputs and its output), more ` +
          `than this GPU's maxStorageBuffersPerShaderStage of ${s.adapter.maxStorageBuffersPerShaderStage}`,
      );
    }
    const outShape = output?.shape ?? program.outputShape;
    checkTensorSize(s, outShape, output?.dtype ?? outputDtype, () => `the output of ${kernel}`);
    for (const input of inputs) {
      checkTensorSize(s, input.shape, input.dtype, () => `an input of ${kernel}`);
    }
    return run(program, inputs, outputDtype, uniforms, output);
  };
  const upload = backend.uploadToGPU.bind(backend);
  backend.uploadToGPU = (dataId) => {
    const data = backend.tensorMap.get(dataId);
    if (data !== undefined) {
      checkTensorSize(s, data.shape, data.dtype, () =>
        kernelStack.length > 0
          ? `a tensor for ${currentKernel('')}`
          : 'a tensor written to the GPU',
      );
    }
    upload(dataId);
  };
  const read = backend.read.bind(backend);
  backend.read = async (dataId) => {
    throwPending(s);
    let values: tf.backend_util.BackendValues;
    try {
      values = await read(dataId);
    } catch (err) {
      // A read on a lost device rejects (mapAsync aborted) before device.lost resolves.
      await new Promise<void>((resolve) => setImmediate(resolve));
      throwPending(s);
      throw err;
    }
    // Errors of the commands this read waited for arrive as events: let them land first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwPending(s);
    return values;
  };
}

/**
 * Re-registers every webgpu kernel behind a wrapper that records its name while it runs, so a
 * guard's message says which operation (MatMul, Softmax…) made the tensor.
 */
function wrapKernels(): void {
  if (kernelsWrapped) return;
  kernelsWrapped = true;
  for (const config of tf.getKernelsForBackend('webgpu')) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, 'webgpu');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        kernelStack.push(config.kernelName);
        try {
          return inner(args);
        } finally {
          kernelStack.pop();
        }
      },
    });
  }
}

/** Fails fast between steps when the device reported an error or was lost (no GPU wait). */
export function checkWebGpuDevice(): void {
  if (session !== null && tf.getBackend() === 'webgpu') throwPending(session);
}

/**
 * Destroys the device, which Dawn reports as a real loss (reason "destroyed"): how the tests
 * exercise the lost-device path.
 */
export function loseWebGpuDevice(): void {
  session?.device.destroy();
}
