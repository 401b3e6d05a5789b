'use strict';
// plw-blas: OpenBLAS sgemm on a Float32Array heap, in place (see src/plw_blas.c).
// Loaded by src-worker/backend/blas.ts, which picks OpenBLAS's core type before this file
// is required (OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads).
const binding = require('./build/Release/plw_blas.node');

/** Deterministic values in [-1, 1) (a 32-bit LCG), so every process checks the same product. */
function fill(array, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < array.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    array[i] = s / 2147483648 - 1;
  }
}

/**
 * One product per transpose case, sized to reach OpenBLAS's blocked kernels and its threads,
 * against a float64 product computed here. Returns the largest error relative to
 * Σ|a||b| over the inner dimension (float32 rounding gives ~1e-7; a broken kernel ~1).
 */
function selfCheck() {
  const m = 67;
  const n = 131;
  const k = 259;
  const heap = new Float32Array(m * k + k * n + m * n);
  fill(heap.subarray(0, m * k + k * n), 20261204);
  const aIndex = new Int32Array([0]);
  let worst = 0;
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    binding.sgemm(heap, 0, m * k * 4, (m * k + k * n) * 4, m, n, k, ta, tb, aIndex, aIndex);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let exact = 0;
        let scale = 0;
        for (let p = 0; p < k; p++) {
          const a = heap[ta ? p * m + i : i * k + p];
          const b = heap[m * k + (tb ? j * k + p : p * n + j)];
          exact += a * b;
          scale += Math.abs(a * b);
        }
        const got = heap[m * k + k * n + i * n + j];
        const err = Math.abs(got - exact) / Math.max(scale, 1e-30);
        if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
      }
    }
  }
  return worst;
}

module.exports = {
  sgemm: binding.sgemm,
  setThreads: binding.setThreads,
  info: binding.info,
  selfCheck,
};
