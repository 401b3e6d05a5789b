/**
 * OpenBLAS for the WASM backend's matrix products: loads the `plw-blas` N-API addon
 * (native/plw-blas, built by node-gyp at `npm ci` against the system libopenblas), picks
 * OpenBLAS's core type, checks one product, and sets its threads. The kernel that uses it is
 * ./wasm-kernels/blas-mat-mul.ts.
 *
 * Core type: OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads. A value the user
 * set is kept. Unset on an AVX-512 CPU, SkylakeX is tried in a child process first (Debian's
 * OpenBLAS 0.3.21 picks its AVX2 "Haswell" kernels on some AVX-512 CPUs, at about half the
 * speed) and kept only if its self-check product agrees with a float64 product; else OpenBLAS
 * chooses, and the note says why.
 *
 * Idle threads: after each product OpenBLAS's helper threads spin-wait for 2^OPENBLAS_THREAD_TIMEOUT
 * cycles before they sleep (default 2^28, ~0.1 s), and a training step runs XNNPACK's
 * elementwise kernels on the same cores between products, so the spinning thread takes a core
 * from them. Unless the user set it, OpenBLAS loads with the shortest spin (see
 * chooseThreadTimeout).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The addon's exports (native/plw-blas/index.js). */
export interface PlwBlas {
  /**
   * C[o] = op(A[aIndex[o]])·op(B[bIndex[o]]) for each output batch o, in place on `heap`;
   * offsets in bytes, slices contiguous row-major ([m,k] or [k,m], [k,n] or [n,k], [m,n]).
   */
  sgemm(
    heap: Float32Array,
    aByte: number,
    bByte: number,
    cByte: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    aIndex: Int32Array,
    bIndex: Int32Array,
  ): void;
  setThreads(threads: number): void;
  info(): { coreName: string; config: string; threads: number; parallel: number };
  /** Largest error of a check product relative to Σ|a·b| (float32 rounding: ~2e-7). */
  selfCheck(): number;
}

/** A self-check error above this means a broken kernel, not rounding (rounding: ~2e-7). */
export const SELF_CHECK_TOLERANCE = 1e-5;

const AVX512_CORE_TYPE = 'SkylakeX';
/** The AVX-512 subsets OpenBLAS's SkylakeX kernels use. */
const AVX512_FLAGS = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'];

export interface BlasStart {
  blas: PlwBlas;
  /** OpenBLAS's core name as it reports it (e.g. `SkylakeX`, `Haswell`). */
  coreType: string;
  threads: number;
  /** How the core type was chosen, for the backend line. */
  note: string;
}

/**
 * log2 of the cycles an idle OpenBLAS thread spins before it sleeps, when the user has not set
 * OPENBLAS_THREAD_TIMEOUT: OpenBLAS's minimum (it clamps the value to [4, 30]). Measured on
 * config a of bench/train-throughput.ts (2 cores, load ~1.3, three interleaved rounds):
 * 209–230 ms/step with OpenBLAS's default 28, 177–195 ms with 4.
 */
export const BLAS_THREAD_TIMEOUT = '4';

/** The OPENBLAS_THREAD_TIMEOUT to load OpenBLAS with, and the words for the backend line. */
export function chooseThreadTimeout(userValue: string | undefined): {
  value: string;
  note: string;
} {
  if (userValue !== undefined && userValue !== '') {
    return { value: userValue, note: `OPENBLAS_THREAD_TIMEOUT=${userValue} set by the user` };
  }
  return {
    value: BLAS_THREAD_TIMEOUT,
    note: `idle threads sleep at once (OPENBLAS_THREAD_TIMEOUT=${BLAS_THREAD_TIMEOUT})`,
  };
}

/** The CPU flags of /proc/cpuinfo (empty where it does not exist). */
function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/** What a child process reports after loading OpenBLAS with a core type. */
export interface ProbeResult {
  coreName: string;
  error: number;
}

/** Loads OpenBLAS with `coreType` in a child process and runs its self-check there. */
function probeCoreType(coreType: string): ProbeResult | string {
  const r = spawnSync(process.execPath, [require.resolve('plw-blas/probe.js')], {
    env: { ...process.env, OPENBLAS_CORETYPE: coreType },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) {
    return `the probe exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n')[0]}`;
  }
  try {
    return JSON.parse(r.stdout) as ProbeResult;
  } catch {
    return `the probe printed ${JSON.stringify(r.stdout.slice(0, 80))}`;
  }
}

/**
 * The OPENBLAS_CORETYPE to load OpenBLAS with (undefined: let OpenBLAS choose), and why.
 * Pure apart from `probe`, for tests.
 */
export function chooseCoreType(
  userValue: string | undefined,
  flags: Set<string>,
  probe: (coreType: string) => ProbeResult | string,
): { coreType: string | undefined; note: string } {
  if (userValue !== undefined && userValue !== '') {
    return { coreType: userValue, note: `OPENBLAS_CORETYPE=${userValue} set by the user` };
  }
  if (!AVX512_FLAGS.every((f) => flags.has(f))) {
    return { coreType: undefined, note: 'no AVX-512: OpenBLAS chose its kernels' };
  }
  const r = probe(AVX512_CORE_TYPE);
  if (typeof r === 'string') {
    return { coreType: undefined, note: `${AVX512_CORE_TYPE} not used (${r}): OpenBLAS chose` };
  }
  if (r.coreName.toLowerCase() !== AVX512_CORE_TYPE.toLowerCase()) {
    return {
      coreType: undefined,
      note: `${AVX512_CORE_TYPE} not used (this OpenBLAS ran ${r.coreName} instead): OpenBLAS chose`,
    };
  }
  if (!(r.error <= SELF_CHECK_TOLERANCE)) {
    return {
      coreType: undefined,
      note: `${AVX512_CORE_TYPE} not used (its check product was off by ${r.error.toExponential(1)}): OpenBLAS chose`,
    };
  }
  return { coreType: AVX512_CORE_TYPE, note: 'AVX-512 CPU: SkylakeX kernels, self-check passed' };
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** Why plw-blas cannot be required, in words a user can act on. */
function loadProblem(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'MODULE_NOT_FOUND') {
    return (
      'the plw-blas addon is not built (it needs libopenblas-dev when npm ci runs: ' +
      'apt-get install libopenblas-dev, then npm rebuild plw-blas)'
    );
  }
  return `the plw-blas addon did not load: ${errorText(err)}`;
}

let loaded: { blas: PlwBlas; coreType: string; note: string } | null = null;

/**
 * Loads OpenBLAS once per process (see the file comment) and sets its threads to `threads`,
 * the same share of the cores the XNNPACK pool gets: the two never run at once (a product is
 * one or the other), so they do not oversubscribe. Throws with the reason when the addon
 * cannot load or its product is wrong; the caller then runs the XNNPACK kernels.
 */
export function loadBlas(threads: number): BlasStart {
  if (loaded === null) {
    const already = process.env.OPENBLAS_CORETYPE;
    let resolved: string;
    try {
      resolved = require.resolve('plw-blas');
    } catch (err) {
      throw new Error(loadProblem(err));
    }
    const choice = chooseCoreType(already, cpuFlags(), probeCoreType);
    if (choice.coreType !== undefined) process.env.OPENBLAS_CORETYPE = choice.coreType;
    const timeout = chooseThreadTimeout(process.env.OPENBLAS_THREAD_TIMEOUT);
    process.env.OPENBLAS_THREAD_TIMEOUT = timeout.value;
    let blas: PlwBlas;
    try {
      blas = require(resolved) as PlwBlas;
    } catch (err) {
      throw new Error(loadProblem(err));
    }
    const error = blas.selfCheck();
    const coreType = blas.info().coreName;
    if (!(error <= SELF_CHECK_TOLERANCE)) {
      throw new Error(
        `OpenBLAS (${coreType} kernels) failed its self-check: a product off by ${error.toExponential(1)}`,
      );
    }
    loaded = { blas, coreType, note: `${choice.note}; ${timeout.note}` };
  }
  loaded.blas.setThreads(threads);
  return { ...loaded, threads: loaded.blas.info().threads };
}
