/**
 * Dense linear algebra for the small symmetric positive-definite systems of the mixed model
 * (p x p with p = the number of fixed effects, 1 to 3 here). Matrices are row-major
 * Float64Arrays so the hot loop of the bootstrap allocates nothing.
 */

/**
 * Cholesky factor L (lower triangle, row-major) of a symmetric positive-definite p x p matrix,
 * written into `out`. Returns false when the matrix is not numerically positive definite (a
 * pivot at or below `relTol` times the largest diagonal entry), which for X'V^-1X means the
 * fixed-effects design is rank deficient.
 * @example cholesky(new Float64Array([4, 2, 2, 3]), 2, out) // true, out = [2, 0, 1, 1.414…]
 */
export function cholesky(a: Float64Array, p: number, out: Float64Array, relTol = 1e-10): boolean {
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * p + i]));
  const tol = relTol * maxDiag;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= out[i * p + k] * out[j * p + k];
      if (i === j) {
        if (!(s > tol)) return false;
        out[i * p + i] = Math.sqrt(s);
      } else {
        out[i * p + j] = s / out[j * p + j];
      }
    }
    for (let j = i + 1; j < p; j++) out[i * p + j] = 0;
  }
  return true;
}

/** Solves (L L') x = b in place of `x` (which holds b on entry), L from `cholesky`. */
export function cholSolve(l: Float64Array, p: number, x: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * x[k];
    x[i] = s / l[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
}

/** log det(L L') = 2 sum log L_ii. */
export function cholLogDet(l: Float64Array, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) s += Math.log(l[i * p + i]);
  return 2 * s;
}

/** The inverse of L L' as a new row-major matrix (used once per fit, for the covariance). */
export function cholInverse(l: Float64Array, p: number): Float64Array {
  const inv = new Float64Array(p * p);
  const col = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    col.fill(0);
    col[j] = 1;
    cholSolve(l, p, col);
    for (let i = 0; i < p; i++) inv[i * p + j] = col[i];
  }
  return inv;
}
