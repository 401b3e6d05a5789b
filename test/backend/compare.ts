import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { Rng } from '../../src-shared/random';

/** Runs `fn` on one backend and returns its outputs' values (tensors disposed). */
export async function runOn(
  backend: 'cpu' | 'wasm',
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ shape: number[]; dtype: string; values: number[] }[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const result = list.map((t) => ({
    shape: t.shape,
    dtype: t.dtype,
    values: Array.from(t.dataSync()),
  }));
  tf.dispose(list);
  return result;
}

/** `fn` gives the same shapes, dtypes and values (within `tol`, relative to scale) on both. */
export async function expectSameOnWasmAndCpu(
  fn: () => tf.Tensor | tf.Tensor[],
  tol = 0,
  label = '',
): Promise<void> {
  const cpu = await runOn('cpu', fn);
  const wasm = await runOn('wasm', fn);
  expect(wasm.length, label).toBe(cpu.length);
  cpu.forEach((c, i) => {
    const w = wasm[i];
    expect(w?.shape, `${label} output ${i} shape`).toEqual(c.shape);
    expect(w?.dtype, `${label} output ${i} dtype`).toBe(c.dtype);
    const scale = c.values.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    const worst = c.values.reduce(
      (m, v, j) => Math.max(m, Math.abs(v - (w?.values[j] ?? Number.NaN))),
      0,
    );
    expect(worst, `${label} output ${i}: max abs difference`).toBeLessThanOrEqual(tol * scale);
  });
}

/** A float32 tensor of standard normals, the same on every backend for the same Rng state. */
export function randomNormal(rng: Rng, shape: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = rng.normal();
  return v;
}
