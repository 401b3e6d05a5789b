/**
 * A WebGPU adapter as the backend line, the worker hello and the Workers page name it
 * (src-worker/backend/webgpu-adapter.ts finds it), and how it is worded.
 */

/** The adapter the backend line and the worker hello name, with the limits that matter. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Why this is a software adapter (a CPU emulating a GPU), or null for hardware. */
  software: string | null;
  /** Bytes: the largest buffer, i.e. the largest tensor, the device can hold. */
  maxBufferSize: number;
  /** Bytes: the largest buffer one kernel can bind (every tfjs tensor is a storage binding). */
  maxStorageBufferBindingSize: number;
  /** Buffers one kernel can bind: a kernel's inputs plus its output. */
  maxStorageBuffersPerShaderStage: number;
}

/** `1 GiB`, `256 MiB`, `12.5 GiB`: sizes in messages. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  const text = u === 0 ? String(v) : Number.isInteger(v) ? String(v) : v.toFixed(2);
  return `${text} ${units[u]}`;
}

/** `google swiftshader (SwiftShader driver 5.0.0; maxBufferSize 1 GiB, …)` for backend lines. */
export function describeAdapter(a: AdapterSummary): string {
  const name = [a.vendor, a.architecture].filter((s) => s !== '').join(' ') || 'unnamed adapter';
  const desc = a.description || a.device;
  return (
    `${name}${desc ? ` (${desc})` : ''}; maxBufferSize ${formatBytes(a.maxBufferSize)}, ` +
    `maxStorageBufferBindingSize ${formatBytes(a.maxStorageBufferBindingSize)}, ` +
    `${a.maxStorageBuffersPerShaderStage} storage buffers per kernel`
  );
}
