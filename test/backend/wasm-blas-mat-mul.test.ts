import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  chooseCoreType,
  chooseThreadTimeout,
  loadBlas,
  SELF_CHECK_TOLERANCE,
  type ProbeResult,
} from '../../src-worker/backend/blas';
import { describeBackend, initBackend, type BackendInfo } from '../../src-worker/backend/index';
import { batchMatMulConfig } from '../../src-worker/backend/wasm-kernels/batch-mat-mul';
import { asWasmBackend } from '../../src-worker/backend/wasm-kernels/internals';
import { matMulCaseTests } from './mat-mul-cases';

const require = createRequire(import.meta.url);

function addonBuilt(): boolean {
  try {
    require.resolve('plw-blas');
    return true;
  } catch {
    return false;
  }
}

// CI installs libopenblas-dev, so there the addon must be built: fail, never skip.
const run = addonBuilt() || process.env.CI === 'true';
// Read before the backend starts: loadBlas exports its own choice (SkylakeX on an AVX-512 CPU)
// into OPENBLAS_CORETYPE, which must not then pass for a value the user set.
const userCoreType = process.env.OPENBLAS_CORETYPE;

describe.runIf(run)('wasm BatchMatMul through OpenBLAS (plw-blas)', () => {
  let info: BackendInfo;
  beforeAll(async () => {
    info = await initBackend({ backend: 'wasm-blas', threads: 1 });
  });

  it('is the registered wasm kernel, and the backend line names OpenBLAS and its core type', () => {
    expect(info.name).toBe('wasm-blas');
    expect(info.tfBackend).toBe('wasm');
    const kernel = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
    expect(kernel).not.toBe(batchMatMulConfig.kernelFunc);
    expect(info.blas?.threads).toBe(1);
    expect(describeBackend(info)).toContain(`OpenBLAS ${info.blas?.coreType}, 1 thread`);
    const user = userCoreType;
    if (user !== undefined && user !== '') {
      // Whatever the environment set is kept (this machine sets Haswell): never overridden.
      expect(info.blas?.note).toContain(`OPENBLAS_CORETYPE=${user} set by the user`);
      expect(info.blas?.coreType.toLowerCase()).toBe(user.toLowerCase());
    }
  });

  matMulCaseTests();

  it('re-reads the heap after allocating an output that grows the WASM memory', async () => {
    // 3000 x 3000 floats (36 MB) is more than the heap holds before: makeOutput grows it,
    // which replaces HEAPF32's buffer (or its length, threaded).
    const m = 3000;
    const a = tf.tidy(() => tf.reshape(tf.mul(tf.range(0, m * 2), 1e-3), [m, 2]));
    const b = tf.ones([2, m]);
    const heapBefore = asWasmBackend(tf.backend()).wasm.HEAPF32.length;
    const out = tf.matMul(a, b);
    expect(asWasmBackend(tf.backend()).wasm.HEAPF32.length).toBeGreaterThan(heapBefore);
    const values = await out.data();
    // Row i of a is [2i·1e-3, (2i+1)·1e-3]: every column of row i sums them.
    for (const i of [0, 1, 1500, m - 1]) {
      for (const j of [0, m - 1]) {
        expect(values[i * m + j]).toBeCloseTo((4 * i + 1) * 1e-3, 4);
      }
    }
    tf.dispose([a, b, out]);
  });

  it('refuses an operand outside the heap instead of reading past it', () => {
    const { blas } = loadBlas(1);
    const heap = new Float32Array(12);
    const one = new Int32Array([0]);
    blas.sgemm(heap, 0, 16, 32, 2, 2, 2, false, false, one, one); // fits exactly
    expect(() => blas.sgemm(heap, 0, 16, 36, 2, 2, 2, false, false, one, one)).toThrow(
      /output lies outside the heap/,
    );
    expect(() =>
      blas.sgemm(heap, 0, 16, 32, 2, 2, 2, false, false, one, new Int32Array([2])),
    ).toThrow(/operand lies outside the heap/);
    expect(() => blas.sgemm(heap, 2, 16, 32, 2, 2, 2, false, false, one, one)).toThrow(
      /multiples of 4/,
    );
  });

  it('passes its self-check at float32 rounding', () => {
    const { blas } = loadBlas(1);
    const error = blas.selfCheck();
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(SELF_CHECK_TOLERANCE / 10);
  });
});

describe('OpenBLAS idle-thread spin', () => {
  it('keeps a value the user set, and otherwise makes idle threads sleep at once', () => {
    expect(chooseThreadTimeout('12')).toEqual({
      value: '12',
      note: 'OPENBLAS_THREAD_TIMEOUT=12 set by the user',
    });
    expect(chooseThreadTimeout(undefined).value).toBe('4');
    expect(chooseThreadTimeout('').value).toBe('4');
  });

  it.runIf(run)('loads OpenBLAS with that setting and names it on the backend line', () => {
    const { note } = loadBlas(1);
    const expected = process.env.OPENBLAS_THREAD_TIMEOUT;
    expect(expected).toMatch(/^\d+$/);
    expect(note).toContain(`OPENBLAS_THREAD_TIMEOUT=${expected}`);
  });
});

describe('OpenBLAS core type choice', () => {
  const avx512 = new Set(['sse', 'avx2', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl']);
  const passes = (): ProbeResult => ({ coreName: 'SkylakeX', error: 2e-7 });
  const never = (): ProbeResult => {
    throw new Error('must not probe');
  };

  it('keeps a core type the user set, without probing', () => {
    expect(chooseCoreType('Haswell', avx512, never)).toEqual({
      coreType: 'Haswell',
      note: 'OPENBLAS_CORETYPE=Haswell set by the user',
    });
  });

  it('leaves the choice to OpenBLAS without AVX-512', () => {
    expect(chooseCoreType(undefined, new Set(['avx2', 'avx512f']), never).coreType).toBe(undefined);
  });

  it('takes SkylakeX on an AVX-512 CPU when its check product agrees', () => {
    expect(chooseCoreType(undefined, avx512, passes).coreType).toBe('SkylakeX');
    expect(chooseCoreType('', avx512, passes).coreType).toBe('SkylakeX');
  });

  it('falls back, saying why, when SkylakeX computes wrong, is not run, or cannot load', () => {
    const wrong = chooseCoreType(undefined, avx512, () => ({ coreName: 'SkylakeX', error: 0.3 }));
    expect(wrong).toEqual({
      coreType: undefined,
      note: 'SkylakeX not used (its check product was off by 3.0e-1): OpenBLAS chose',
    });
    const other = chooseCoreType(undefined, avx512, () => ({ coreName: 'Haswell', error: 1e-7 }));
    expect(other.note).toMatch(/ran Haswell instead/);
    const crashed = chooseCoreType(undefined, avx512, () => 'the probe exited with SIGILL');
    expect(crashed.note).toMatch(/SIGILL/);
  });
});
