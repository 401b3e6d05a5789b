/**
 * Finding a WebGPU adapter through Dawn (the `webgpu` package's dawn.node), before
 * TensorFlow.js's webgpu backend is imported: that backend registers itself only when
 * `navigator.gpu` exists at import time, and a machine without a usable adapter must cost the
 * default selection as little as possible.
 *
 * The default selection asks a short-lived child process (`probeAdapterInChild`): Dawn's Vulkan
 * loader writes driver warnings straight to stderr (lavapipe's "shaderUniform*ArrayDynamicIndexing
 * required", Wayland's XDG_RUNTIME_DIR), which would otherwise land in every plw command's
 * output on a machine without a GPU; in the child they become the skip reason instead.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';

import type { AdapterSummary } from '../../src-shared/gpu';

export { describeAdapter, formatBytes, type AdapterSummary } from '../../src-shared/gpu';

const require = createRequire(import.meta.url);

/** The fields of GPUAdapterInfo and GPUSupportedLimits this module reads. */
interface AdapterLike {
  info: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxStorageBuffersPerShaderStage: number;
  };
}

/** Names of CPU rasterizers that present themselves as GPUs. */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export function summarizeAdapter(adapter: AdapterLike): AdapterSummary {
  const { vendor, architecture, device, description } = adapter.info;
  const text = [vendor, architecture, device, description].join(' ');
  const fallback = adapter.info.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  const software = SOFTWARE_NAMES.test(text)
    ? `a software adapter (${SOFTWARE_NAMES.exec(text)?.[0]}: the CPU emulates the GPU)`
    : fallback
      ? 'a fallback adapter (software: the CPU emulates the GPU)'
      : null;
  return {
    vendor,
    architecture,
    device,
    description,
    software,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
  };
}

/** The file URL of the `webgpu` package's entry, or a reason it is missing. */
export function webgpuPackageUrl(): string {
  try {
    return pathToFileURL(require.resolve('webgpu')).href;
  } catch {
    throw new Error('the webgpu package (Dawn) is not installed');
  }
}

/** The adapter request every path makes: the discrete GPU where there are two. */
export const ADAPTER_OPTIONS = { powerPreference: 'high-performance' } as const;

/** Driver chatter worth quoting as the reason no adapter was found (first meaningful line). */
function driverNote(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find(
      (l) =>
        l !== '' && !/XDG_RUNTIME_DIR/.test(l) && !l.startsWith('- While') && !l.startsWith('at '),
    );
  return line === undefined ? '' : ` (Dawn: ${line.replace(/^Warning:\s*/, '')})`;
}

/**
 * Asks a child process which adapter Dawn finds: the summary, or null with why not.
 * Never throws; the child is the same Node (or Electron run as Node).
 */
export function probeAdapterInChild(
  timeoutMs = 30_000,
): Promise<{ adapter: AdapterSummary | null; why: string }> {
  let url: string;
  try {
    url = webgpuPackageUrl();
  } catch (err) {
    return Promise.resolve({ adapter: null, why: (err as Error).message });
  }
  const code = `
const { create, globals } = await import(${JSON.stringify(url)});
Object.assign(globalThis, globals);
const a = await create([]).requestAdapter(${JSON.stringify(ADAPTER_OPTIONS)});
const out = a === null ? null : {
  info: { vendor: a.info.vendor, architecture: a.info.architecture, device: a.info.device,
    description: a.info.description, isFallbackAdapter: a.info.isFallbackAdapter === true },
  limits: { maxBufferSize: a.limits.maxBufferSize,
    maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: a.limits.maxStorageBuffersPerShaderStage } };
process.stdout.write('PLW-ADAPTER ' + JSON.stringify(out) + '\\n', () => process.exit(0));
`;
  const env = {
    ...process.env,
    ELECTRON_RUN_AS_NODE: '1',
    // Without it the Vulkan loader's Wayland probe complains on stderr and takes ~0.4 s longer.
    XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? tmpdir(),
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', code],
      { env, timeout: timeoutMs, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('PLW-ADAPTER '));
        if (line === undefined) {
          const why = err ? (err.killed ? 'timed out' : err.message.split('\n')[0]) : 'no answer';
          resolve({ adapter: null, why: `the WebGPU adapter probe failed: ${why}` });
          return;
        }
        const parsed = JSON.parse(line.slice('PLW-ADAPTER '.length)) as AdapterLike | null;
        if (parsed === null) {
          resolve({ adapter: null, why: `Dawn found no WebGPU adapter${driverNote(stderr)}` });
          return;
        }
        resolve({ adapter: summarizeAdapter(parsed), why: '' });
      },
    );
  });
}
