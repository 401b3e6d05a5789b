import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES, describeBackend, initBackend } from '../../src-worker/backend/index';
import { nativeBindingProblem } from '../../src-worker/backend/native';

// One process per test file: these tests run in order and share the process's one backend.
describe('initBackend', () => {
  it('rejects an unknown --backend name, listing the valid ones', async () => {
    await expect(initBackend({ backend: 'tpu' })).rejects.toThrow(
      /--backend: unknown backend "tpu"; expected one of tensorflow-gpu, tensorflow, webgpu, wasm-blas, wasm-xnnpack, cpu, wasm/,
    );
  });

  it('rejects a thread count that is not a positive integer', async () => {
    await expect(initBackend({ threads: 0 })).rejects.toThrow(/--threads/);
    await expect(initBackend({ threads: 1.5 })).rejects.toThrow(/--threads/);
  });

  it('says why a forced native backend cannot load', async () => {
    const problem = nativeBindingProblem('@tensorflow/tfjs-node');
    if (problem === null) return; // a machine with the native binding: nothing to check here
    await expect(initBackend({ backend: 'tensorflow' })).rejects.toThrow(
      /--backend tensorflow: cannot load it: .*native binding/,
    );
  });

  it('picks the first backend that loads, explaining every skipped one', async () => {
    const info = await initBackend({ threads: 1 });
    const order = [...BACKEND_NAMES];
    expect(info.skipped.map((s) => s.name)).toEqual(order.slice(0, order.indexOf(info.name)));
    for (const s of info.skipped) expect(s.why.length).toBeGreaterThan(10);
    expect(tf.getBackend()).toBe(info.tfBackend);
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const) {
      const problem = nativeBindingProblem(pkg);
      if (problem !== null) expect(info.skipped.map((s) => s.why)).toContain(problem);
    }
    if (info.tfBackend === 'wasm') {
      expect(info.threads).toBe(1);
      expect(info.kernelOverrides).toBe(true);
    }
    expect(describeBackend(info)).toContain(info.name);
    // It computes.
    expect(Array.from(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync())).toEqual([
      3, 3, 3, 3,
    ]);
  });

  it('returns the same info on later calls, and refuses to switch backend', async () => {
    const first = await initBackend();
    expect(await initBackend()).toBe(first);
    expect(await initBackend({ backend: first.name })).toBe(first);
    const other = first.name === 'cpu' ? 'wasm' : 'cpu';
    await expect(initBackend({ backend: other })).rejects.toThrow(/already in use/);
  });
});
