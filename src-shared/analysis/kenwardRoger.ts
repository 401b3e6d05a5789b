/**
 * The Kenward–Roger F-test of fixed effects in the mixed model of lmm.ts (Kenward & Roger 1997,
 * "Small sample inference for fixed effects from restricted maximum likelihood", Biometrics
 * 53(3), 983–997), computed as R's `pbkrtest::KRmodcomp(full, null)` does on the REML fit of
 * the full model (Halekoh & Højsgaard 2014, J. Stat. Softw. 59(9)): the covariance of the
 * fixed effects is inflated for the uncertainty of the estimated variance components, and the
 * Wald statistic of the restriction is scaled and referred to an F distribution whose
 * denominator df are matched by moments. With few cells (10 PLWs x a few benchmarks) this is
 * the test whose level holds; the likelihood-ratio test's chi-square reference does not.
 *
 * The covariance V = s2b ZZ' + s2e I is block diagonal (one block per benchmark, Z the benchmark
 * indicator), with derivatives G1 = ZZ' and G2 = I. Inside a block of n rows,
 * V^-1 = (I - c 11') / s2e with c = s2b / (s2e + n s2b), and 1'V^-1 = d 1' with
 * d = 1 / (s2e + n s2b), so every quantity below is a sum over blocks of small p x p terms.
 */
import { fUpperTail } from './fdist';
import { cholInverse, cholesky } from './linalg';
import type { LmmDesign } from './lmm';

export interface KenwardRogerTest {
  /** The scaled F statistic (pbkrtest's `Fstat`). */
  F: number;
  /** Numerator df: the number of restrictions (2 for w and w^2). */
  ndf: number;
  /** Denominator df, matched by moments. */
  ddf: number;
  /** The factor applied to the Wald F (1 in balanced designs). */
  scaling: number;
  p: number;
}

/** p x p row-major matrices. */
type Mat = Float64Array;

function matMul(a: Mat, b: Mat, p: number): Mat {
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < p; k++) {
      const aik = a[i * p + k];
      if (aik === 0) continue;
      for (let j = 0; j < p; j++) out[i * p + j] += aik * b[k * p + j];
    }
  }
  return out;
}

function trace(a: Mat, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) s += a[i * p + i];
  return s;
}

/** tr(A B) for p x p matrices. */
function traceProduct(a: Mat, b: Mat, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) s += a[i * p + j] * b[j * p + i];
  return s;
}

function inverseSpd(a: Mat, p: number): Mat | null {
  const l = new Float64Array(p * p);
  return cholesky(a, p, l, 1e-14) ? cholInverse(l, p) : null;
}

/**
 * Inverse of a symmetric 2 x 2 matrix, or its Moore–Penrose pseudo-inverse when an eigenvalue
 * is below 1e-10 in absolute value (as pbkrtest falls back on MASS::ginv).
 */
function symmetricInverse2(m: [number, number, number]): [number, number, number] {
  const [a, b, d] = m; // [[a, b], [b, d]]
  const mean = (a + d) / 2;
  const r = Math.hypot((a - d) / 2, b);
  const l1 = mean + r;
  const l2 = mean - r;
  if (Math.min(Math.abs(l1), Math.abs(l2)) > 1e-10) {
    const det = a * d - b * b;
    return [d / det, -b / det, a / det];
  }
  // Eigenvectors: for l1, (b, l1 - a) or (l1 - d, b), whichever is not ~0.
  let v1: [number, number] = Math.abs(b) > 1e-300 ? [b, l1 - a] : a >= d ? [1, 0] : [0, 1];
  const norm = Math.hypot(v1[0], v1[1]);
  v1 = [v1[0] / norm, v1[1] / norm];
  const v2: [number, number] = [-v1[1], v1[0]];
  const out: [number, number, number] = [0, 0, 0];
  for (const [l, v] of [
    [l1, v1],
    [l2, v2],
  ] as const) {
    if (Math.abs(l) <= 1e-10) continue;
    out[0] += (v[0] * v[0]) / l;
    out[1] += (v[0] * v[1]) / l;
    out[2] += (v[1] * v[1]) / l;
  }
  return out;
}

/** Phi, the KR-adjusted covariance Phi_A, and the P matrices and W of the variance parameters. */
export interface KenwardRogerCovariance {
  phi: Mat;
  phiA: Mat;
  /** P_i = X'V^-1 G_i V^-1 X (pbkrtest's sign is the opposite; only products of two appear). */
  pMats: [Mat, Mat];
  /** 2 x inverse of the expected REML information of (s2b, s2e): [w11, w12, w22]. */
  w: [number, number, number];
}

/**
 * Phi = (X'V^-1X)^-1 at the given variance components and its Kenward–Roger adjustment
 * Phi_A = Phi + 2 Phi [sum_ij W_ij (Q_ij - P_i Phi P_j)] Phi (pbkrtest's vcovAdj; no R_ij
 * terms, the covariance is linear in its parameters).
 * @returns null when X'V^-1X is not positive definite.
 */
export function kenwardRogerCovariance(
  d: LmmDesign,
  sigma2Benchmark: number,
  sigma2Residual: number,
): KenwardRogerCovariance | null {
  const { n, p, q } = d;
  const s2b = Math.max(0, sigma2Benchmark);
  const s2e = sigma2Residual;
  const a = 1 / s2e;
  const xvx = new Float64Array(p * p);
  const p1 = new Float64Array(p * p); // sum_k m_k m_k'
  const p2 = new Float64Array(p * p); // sum_i M_i M_i'  (X'V^-2 X)
  const q11 = new Float64Array(p * p);
  const q12 = new Float64Array(p * p);
  const q22 = new Float64Array(p * p); // X'V^-3 X = sum_k a (M_k'M_k - c_k m_k m_k')
  const cK = new Float64Array(q);
  const dK = new Float64Array(q);
  for (let k = 0; k < q; k++) {
    const nk = d.counts[k];
    dK[k] = 1 / (s2e + nk * s2b);
    cK[k] = s2b * dK[k];
  }
  // M_i = V^-1 x_i = a (x_i - c_k colSum_k); m_k = sum over the block of M_i = d_k colSum_k.
  const mRow = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const k = d.group[i];
    for (let r = 0; r < p; r++) mRow[r] = a * (d.x[i * p + r] - cK[k] * d.colSums[k * p + r]);
    for (let r = 0; r < p; r++) {
      for (let s = 0; s < p; s++) {
        const mm = mRow[r] * mRow[s];
        xvx[r * p + s] += d.x[i * p + r] * mRow[s];
        p2[r * p + s] += mm;
        q22[r * p + s] += a * mm;
      }
    }
  }
  let k11 = 0;
  let k12 = 0;
  let k22 = 0;
  for (let k = 0; k < q; k++) {
    const nk = d.counts[k];
    const dk = dK[k];
    const sk = nk * dk; // 1'V_k^-1 1
    for (let r = 0; r < p; r++) {
      for (let s = 0; s < p; s++) {
        const mm = dk * dk * d.colSums[k * p + r] * d.colSums[k * p + s];
        p1[r * p + s] += mm;
        q11[r * p + s] += sk * mm;
        q12[r * p + s] += dk * mm;
        q22[r * p + s] -= a * cK[k] * mm;
      }
    }
    // tr(V^-1 G_i V^-1 G_j): the eigenvalues of V_k^-1 are a (n_k - 1 times) and d_k.
    k11 += sk * sk;
    k12 += nk * dk * dk;
    k22 += (nk - 1) * a * a + dk * dk;
  }
  const phi = inverseSpd(xvx, p);
  if (phi === null) return null;
  const pm = [p1, p2] as const;
  const qm = [
    [q11, q12],
    [q12, q22],
  ] as const;
  const kt = [
    [k11, k12],
    [k12, k22],
  ];
  const phiP = pm.map((m) => matMul(phi, m, p));
  const ie = (i: number, j: number) =>
    kt[i][j] - 2 * traceProduct(phi, qm[i][j], p) + traceProduct(phiP[i], phiP[j], p);
  const inv = symmetricInverse2([ie(0, 0), ie(0, 1), ie(1, 1)]);
  const w: [number, number, number] = [2 * inv[0], 2 * inv[1], 2 * inv[2]];
  const wAt = (i: number, j: number) =>
    i === 0 && j === 0 ? w[0] : i === 1 && j === 1 ? w[2] : w[1];
  const uu = new Float64Array(p * p);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      const pPhiP = matMul(pm[i], phiP[j], p);
      const wij = wAt(i, j);
      for (let e = 0; e < p * p; e++) uu[e] += wij * (qm[i][j][e] - pPhiP[e]);
    }
  }
  const gamma = matMul(matMul(phi, uu, p), phi, p);
  const phiA = new Float64Array(p * p);
  for (let e = 0; e < p * p; e++) phiA[e] = phi[e] + 2 * gamma[e];
  return { phi, phiA, pMats: [p1, p2], w };
}

/**
 * pbkrtest's .divZero: x / y, or 1 when both are ~0 (a 0/0 that arises when the residual df
 * equal the number of restrictions, e.g. 2 benchmarks x 3 PLWs: then A2 = q and V1 = 0 in exact
 * arithmetic). pbkrtest tests |x|, |y| < 1e-14; both are dimensionless O(1) quantities built
 * from sums of products, so ours use 1e-10, above the rounding noise of either implementation.
 */
function divZero(x: number, y: number): number {
  return Math.abs(x) < 1e-10 && Math.abs(y) < 1e-10 ? 1 : x / y;
}

/**
 * The denominator df and F scaling of the Kenward–Roger test of the coefficients `terms`
 * (indices into beta; the restriction L selects them), from the moments of the Wald statistic
 * (Kenward & Roger 1997, section 4; pbkrtest's .KR_adjust).
 */
export function kenwardRogerDf(
  cov: KenwardRogerCovariance,
  p: number,
  terms: readonly number[],
): { ddf: number; scaling: number } {
  const m = terms.length;
  const { phi, pMats, w } = cov;
  // Theta = L'(L Phi L')^-1 L, with L selecting `terms`.
  const lpl = new Float64Array(m * m);
  terms.forEach((r, i) => terms.forEach((s, j) => (lpl[i * m + j] = phi[r * p + s])));
  const lplInv = inverseSpd(lpl, m);
  if (lplInv === null) throw new Error('the tested coefficients have a singular covariance');
  const theta = new Float64Array(p * p);
  terms.forEach((r, i) => terms.forEach((s, j) => (theta[r * p + s] = lplInv[i * m + j])));
  const thetaPhi = matMul(theta, phi, p);
  const u = pMats.map((pm) => matMul(matMul(thetaPhi, pm, p), phi, p));
  const wAt = (i: number, j: number) =>
    i === 0 && j === 0 ? w[0] : i === 1 && j === 1 ? w[2] : w[1];
  let a1 = 0;
  let a2 = 0;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      a1 += wAt(i, j) * trace(u[i], p) * trace(u[j], p);
      a2 += wAt(i, j) * traceProduct(u[i], u[j], p);
    }
  }
  const b = (a1 + 6 * a2) / (2 * m);
  const g = ((m + 1) * a1 - (m + 4) * a2) / ((m + 2) * a2);
  const den = 3 * m + 2 * (1 - g);
  const c1 = g / den;
  const c2 = (m - g) / den;
  const c3 = (m + 2 - g) / den;
  let v0 = 1 + c1 * b;
  if (Math.abs(v0) < 1e-10) v0 = 0;
  const v1 = 1 - c2 * b;
  const v2 = 1 - c3 * b;
  const rho = (1 / m) * divZero(1 - a2 / m, v1) ** 2 * (v0 / v2);
  const ddf = 4 + (m + 2) / (m * rho - 1);
  const scaling = Math.abs(ddf - 2) < 0.01 ? 1 : (ddf * (1 - a2 / m)) / (ddf - 2);
  return { ddf, scaling };
}

/**
 * The Kenward–Roger test that the coefficients `terms` of the REML fit are all zero: the Wald
 * statistic on Phi_A divided by their number, scaled, against F(ndf, ddf).
 * @returns null when the covariance cannot be formed (X'V^-1X not positive definite).
 * @example kenwardRogerTest(design, reml.beta, reml.sigma2Group, reml.sigma2Residual, [1, 2])
 *   // { F: 3.354, ndf: 2, ddf: 34, scaling: 1, p: 0.0468 }  (pbkrtest::KRmodcomp)
 */
export function kenwardRogerTest(
  d: LmmDesign,
  beta: readonly number[],
  sigma2Benchmark: number,
  sigma2Residual: number,
  terms: readonly number[],
): KenwardRogerTest | null {
  const { p } = d;
  const cov = kenwardRogerCovariance(d, sigma2Benchmark, sigma2Residual);
  if (cov === null) return null;
  const m = terms.length;
  const lpl = new Float64Array(m * m);
  terms.forEach((r, i) => terms.forEach((s, j) => (lpl[i * m + j] = cov.phiA[r * p + s])));
  const inv = inverseSpd(lpl, m);
  if (inv === null) return null;
  let wald = 0;
  terms.forEach((r, i) => terms.forEach((s, j) => (wald += beta[r] * inv[i * m + j] * beta[s])));
  const { ddf, scaling } = kenwardRogerDf(cov, p, terms);
  const f = (scaling * wald) / m;
  return { F: f, ndf: m, ddf, scaling, p: fUpperTail(f, m, ddf) };
}
