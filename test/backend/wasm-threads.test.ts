import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import { initBackend } from '../../src-worker/backend/index';
import { REPO_ROOT } from '../helpers/paths';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

describe('threaded WASM in Node', () => {
  it('starts XNNPACK with the requested 2 threads and computes like the CPU backend', async () => {
    const info = await initBackend({ backend: 'wasm-xnnpack', threads: 2 });
    expect(info.threadsNote).toBeUndefined();
    expect(info.threads).toBe(2);
    const rng = new Rng(21);
    const a = randomNormal(rng, [3, 96, 80]);
    const b = randomNormal(rng, [80, 112]);
    await expectSameOnWasmAndCpu(
      () => tf.matMul(tf.tensor(a, [3, 96, 80]), tf.tensor(b, [80, 112])),
      1e-5,
      'threaded matmul',
    );
    await expectSameOnWasmAndCpu(
      () => tf.softmax(tf.add(tf.tensor(a, [3, 96, 80]), 1)),
      1e-6,
      'threaded softmax',
    );
  });

  it('lets a process that used threads (XNNPACK and OpenBLAS where built) exit on its own', () => {
    const entry = join(REPO_ROOT, 'src-worker/backend/index.ts');
    const script =
      `import * as tf from '@tensorflow/tfjs-core';` +
      `import { initBackend } from ${JSON.stringify(entry)};` +
      `const info = await initBackend({ backend: 'wasm', threads: 2 });` +
      `tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync();` +
      `console.log(JSON.stringify(info));`;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.signal, 'killed by the timeout: the pool threads kept it alive').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tfBackend: 'wasm', threads: 2 });
  });
});
