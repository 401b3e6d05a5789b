/**
 * Exports a hand-written safetensors reader and writer: `parseSafetensors` (bytes → named
 * float32 tensors; F32, F16 and BF16 widened on load) and `encodeSafetensors` (F32 out).
 * Format: 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the raw data,
 * offsets relative to its start. Problems are InputErrors naming the file and the tensor.
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { InputError } from '../../src-shared/errors';
import type { HostTensor } from './llama';

const BYTES_PER: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/** IEEE half → float (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    // An aligned copy (Buffer#slice would share memory, possibly unaligned).
    const copy = new Uint8Array(count * 4);
    copy.set(bytes);
    out.set(new Float32Array(copy.buffer));
  } else if (dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    // bfloat16 is the top half of a float32.
    const wide = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) wide[i] = view.getUint16(2 * i, true) << 16;
  }
  return out;
}

export interface Safetensors {
  tensors: Map<string, HostTensor>;
  /** Original dtype of each tensor, e.g. to report a checkpoint's precision. */
  dtypes: Map<string, string>;
  metadata: Record<string, string>;
}

/** Parses a safetensors file's bytes; `file` names it in errors. */
export function parseSafetensors(bytes: Uint8Array, file: string): Safetensors {
  if (bytes.byteLength < 8)
    throw new InputError({ file }, 'not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.byteLength - 8) {
    throw new InputError(
      { file },
      `truncated or not safetensors: header length ${headerLen} exceeds the file size ${bytes.byteLength}`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    throw new InputError({ file }, 'not a safetensors file: the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InputError({ file }, 'not a safetensors file: the header is not a JSON object');
  }
  const data = bytes.subarray(8 + headerLen);
  const tensors = new Map<string, HostTensor>();
  const dtypes = new Map<string, string>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const where = { file, field: name };
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null)
      throw new InputError(where, 'tensor entry is not an object');
    const dtype = String(e.dtype);
    const width = BYTES_PER[dtype];
    if (width === undefined)
      throw new InputError(where, `dtype ${dtype} is not supported (F32, F16, BF16)`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new InputError(where, 'shape is not a list of sizes');
    }
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0)
    ) {
      throw new InputError(where, 'data_offsets is not [begin, end]');
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, s) => a * s, 1);
    if (end - begin !== count * width) {
      throw new InputError(
        where,
        `data_offsets span ${end - begin} bytes, shape [${shape}] of ${dtype} needs ${count * width}`,
      );
    }
    if (end > data.byteLength) {
      throw new InputError(
        where,
        `truncated: tensor data ends at byte ${end} but the file holds ${data.byteLength} data bytes`,
      );
    }
    tensors.set(name, {
      shape: shape as number[],
      data: decode(data.subarray(begin, end), dtype, count),
    });
    dtypes.set(name, dtype);
  }
  return { tensors, dtypes, metadata };
}

/** Name → dtype and shape from a file's header only (no tensor data read). */
export function readSafetensorsHeader(
  path: string,
): Map<string, { dtype: string; shape: number[] }> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError({ file: path }, `cannot read: ${(err as Error).message}`);
  }
  try {
    const len = new Uint8Array(8);
    if (readSync(fd, len, 0, 8, 0) !== 8)
      throw new InputError({ file: path }, 'not a safetensors file: too short');
    const headerLen = Number(new DataView(len.buffer).getBigUint64(0, true));
    if (headerLen > 100_000_000)
      throw new InputError({ file: path }, `not a safetensors file: header length ${headerLen}`);
    const header = new Uint8Array(headerLen);
    if (readSync(fd, header, 0, headerLen, 8) !== headerLen)
      throw new InputError({ file: path }, 'truncated header');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(header));
    } catch {
      throw new InputError({ file: path }, 'not a safetensors file: the header is not JSON');
    }
    const out = new Map<string, { dtype: string; shape: number[] }>();
    for (const [name, e] of Object.entries(
      json as Record<string, { dtype?: unknown; shape?: unknown }>,
    )) {
      if (name === '__metadata__') continue;
      out.set(name, {
        dtype: String(e?.dtype),
        shape: Array.isArray(e?.shape) ? (e.shape as number[]) : [],
      });
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

export function readSafetensors(path: string): Safetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError({ file: path }, `cannot read: ${(err as Error).message}`);
  }
  return parseSafetensors(bytes, path);
}

/**
 * safetensors bytes of float32 tensors, in the given order, header padded with spaces to a
 * multiple of 8 (as the reference writer does) so data stays aligned.
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, HostTensor>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, HostTensor>,
  metadata?: Record<string, string>,
): void {
  writeFileSync(path, encodeSafetensors(tensors, metadata));
}
