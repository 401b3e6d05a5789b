import { cholInverse, cholLogDet, cholSolve, cholesky } from './linalg';
import { brentMinimize } from './optimize';
import { InsufficientDataError } from './errors';

/**
 * Linear mixed model with one random intercept per group (here: per benchmark),
 *   y = X beta + b[group] + e,  b ~ N(0, sigma^2 theta^2),  e ~ N(0, sigma^2),
 * fitted by REML or ML exactly as R's lme4 does (Bates et al. 2015, "Fitting Linear
 * Mixed-Effects Models Using lme4", J. Stat. Softw. 67(1), section 3): the deviance is
 * profiled over beta and sigma, leaving a one-dimensional problem in the relative standard
 * deviation theta >= 0. For one random intercept, V = I + theta^2 Z Z' is block diagonal with
 * blocks I + theta^2 11', whose inverse and determinant are closed-form, so each deviance
 * evaluation is a sum over groups of p x p updates of precomputed cross-products.
 */

export type FitMethod = 'REML' | 'ML';

/** The fixed part of a fit: X, the group of each row, and per-group cross-products of X. */
export interface LmmDesign {
  /** Observations. */
  n: number;
  /** Fixed-effect columns. */
  p: number;
  /** Groups (benchmarks). */
  q: number;
  /** Row-major n x p. */
  x: Float64Array;
  /** Group index of each row, in 0..q-1. */
  group: Int32Array;
  /** Rows per group. */
  counts: Float64Array;
  /** Per group, the column sums of X: q x p. */
  colSums: Float64Array;
  /** Per group, the within-group centred cross-products (X_g - mean)'(X_g - mean): q x p x p. */
  crossprods: Float64Array;
}

export interface LmmFit {
  method: FitMethod;
  /** Fixed effects, in X's column order. */
  beta: number[];
  se: number[];
  t: number[];
  /** sigma_benchmark / sigma_residual; 0 exactly when the optimum is the boundary. */
  theta: number;
  sigma2Group: number;
  sigma2Residual: number;
  /** lme4's logLik(): the REML criterion / -2 for REML, the log-likelihood for ML. */
  logLik: number;
  /** -2 logLik (lme4's REML criterion or deviance). */
  deviance: number;
  singular: boolean;
}

/**
 * Builds the design from the rows of X and each row's group index (0..q-1).
 * @throws InsufficientDataError when there are fewer than two groups, not more observations
 *   than groups (both refused by lme4), not more observations than fixed effects, or X is
 *   rank deficient.
 * @example makeDesign([[1, 0], [1, 1], [1, 0], [1, 1], [1, 2]], [0, 0, 1, 1, 1], 2).n // 5
 */
export function makeDesign(rows: number[][], group: number[], q: number): LmmDesign {
  const n = rows.length;
  const p = n > 0 ? rows[0].length : 0;
  if (q < 2) {
    // lme4: "grouping factors must have > 1 sampled level". With one benchmark there is no
    // between-benchmark variance to estimate; the model is not identifiable as a mixed model.
    throw new InsufficientDataError(
      `need scores from at least 2 benchmarks for the mixed model, got ${q}`,
    );
  }
  if (n <= q) {
    throw new InsufficientDataError(
      `need more scores than benchmarks (lme4 refuses otherwise): ${n} scores, ${q} benchmarks`,
    );
  }
  if (n <= p) {
    throw new InsufficientDataError(`need more than ${p} scores for ${p} fixed effects, got ${n}`);
  }
  const x = new Float64Array(n * p);
  const g = new Int32Array(n);
  const counts = new Float64Array(q);
  const colSums = new Float64Array(q * p);
  const crossprods = new Float64Array(q * p * p);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    const k = group[i];
    if (row.length !== p) throw new Error(`design row ${i} has ${row.length} columns, not ${p}`);
    if (!(k >= 0 && k < q)) throw new Error(`design row ${i} has group ${k} outside 0..${q - 1}`);
    // y is centred before fitting, which only moves the intercept: X must start with 1s.
    if (row[0] !== 1) throw new Error(`design row ${i} does not start with the intercept 1`);
    g[i] = k;
    counts[k] += 1;
    for (let a = 0; a < p; a++) {
      x[i * p + a] = row[a];
      colSums[k * p + a] += row[a];
    }
  }
  for (let k = 0; k < q; k++) {
    if (counts[k] === 0) throw new Error(`group ${k} has no rows`);
  }
  // Two passes (means, then centred products) keep these exact enough when the benchmark
  // variance dwarfs the residual one (theta in the hundreds).
  for (let i = 0; i < n; i++) {
    const k = g[i];
    for (let a = 0; a < p; a++) {
      const ca = x[i * p + a] - colSums[k * p + a] / counts[k];
      for (let b = 0; b < p; b++) {
        crossprods[(k * p + a) * p + b] += ca * (x[i * p + b] - colSums[k * p + b] / counts[k]);
      }
    }
  }
  // X'X = sum over groups of the centred products plus n_k times the outer product of means.
  const xtx = new Float64Array(p * p);
  for (let k = 0; k < q; k++) {
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        xtx[a * p + b] +=
          crossprods[(k * p + a) * p + b] + (colSums[k * p + a] * colSums[k * p + b]) / counts[k];
      }
    }
  }
  if (!cholesky(xtx, p, new Float64Array(p * p))) {
    throw new InsufficientDataError(
      'the fixed-effects design is rank deficient (too few distinct PLW values)',
    );
  }
  return { n, p, q, x, group: g, counts, colSums, crossprods };
}

/**
 * Per-group sums of y that, with the design, determine the profiled deviance at any theta:
 * sums of the globally centred y, and within-group centred cross-products with X and y.
 */
interface ResponseStats {
  /** The mean subtracted from y before summing (keeps the sums well conditioned). */
  center: number;
  ySum: Float64Array;
  xty: Float64Array;
  yy: Float64Array;
}

function responseStats(d: LmmDesign, y: ArrayLike<number>): ResponseStats {
  const { n, p, q } = d;
  let center = 0;
  for (let i = 0; i < n; i++) center += y[i];
  center /= n;
  const ySum = new Float64Array(q);
  const xty = new Float64Array(q * p);
  const yy = new Float64Array(q);
  for (let i = 0; i < n; i++) ySum[d.group[i]] += y[i] - center;
  for (let i = 0; i < n; i++) {
    const k = d.group[i];
    const cy = y[i] - center - ySum[k] / d.counts[k];
    yy[k] += cy * cy;
    for (let a = 0; a < p; a++)
      xty[k * p + a] += (d.x[i * p + a] - d.colSums[k * p + a] / d.counts[k]) * cy;
  }
  return { center, ySum, xty, yy };
}

/** Scratch space and the deviance function of one response, reused across evaluations. */
function profiledDeviance(d: LmmDesign, s: ResponseStats, method: FitMethod) {
  const { n, p, q } = d;
  const a = new Float64Array(p * p);
  const l = new Float64Array(p * p);
  const beta = new Float64Array(p);
  const df = method === 'REML' ? n - p : n;
  let r2 = 0;
  let logDetA = 0;
  // Residuals below 1e-10 of the scores' spread are rounding, not variance: such a response
  // is fitted exactly and has no likelihood optimum (the deviance goes to -infinity).
  let spread = 0;
  for (let k = 0; k < q; k++) spread += s.yy[k] + (s.ySum[k] * s.ySum[k]) / d.counts[k];
  const r2Floor = 1e-20 * spread;

  /** Sets a = X'V^-1X, beta, r2 = (y-Xb)'V^-1(y-Xb); returns false if a is not PD. */
  function solveAt(theta: number): boolean {
    const t2 = theta * theta;
    a.fill(0);
    beta.fill(0);
    let yy = 0;
    for (let k = 0; k < q; k++) {
      // V_k^-1 = I - 11' theta^2/(1 + n theta^2) = (I - 11'/n) + f 11' with
      // f = 1 / (n (1 + n theta^2)): a within-group part plus a shrunken group-sum part, both
      // sums of non-negative terms (no cancellation at large theta).
      const f = 1 / (d.counts[k] * (1 + d.counts[k] * t2));
      const sy = s.ySum[k];
      yy += s.yy[k] + f * sy * sy;
      for (let i = 0; i < p; i++) {
        const si = d.colSums[k * p + i];
        beta[i] += s.xty[k * p + i] + f * si * sy;
        for (let j = 0; j < p; j++) {
          a[i * p + j] += d.crossprods[(k * p + i) * p + j] + f * si * d.colSums[k * p + j];
        }
      }
    }
    if (!cholesky(a, p, l)) return false;
    let bb = 0;
    const rhs = Float64Array.from(beta);
    cholSolve(l, p, beta);
    for (let i = 0; i < p; i++) bb += rhs[i] * beta[i];
    r2 = yy - bb;
    logDetA = cholLogDet(l, p);
    return true;
  }

  function deviance(theta: number): number {
    if (!solveAt(theta) || !(r2 > r2Floor)) return Infinity;
    let logDetV = 0;
    const t2 = theta * theta;
    for (let k = 0; k < q; k++) logDetV += Math.log1p(d.counts[k] * t2);
    const base = logDetV + df * (1 + Math.log((2 * Math.PI * r2) / df));
    return method === 'REML' ? base + logDetA : base;
  }

  return { deviance, solveAt, state: () => ({ a, l, beta, r2, r2Floor, df }) };
}

/**
 * The weighted residual sum of squares in the limit theta -> infinity (benchmark intercepts as
 * free fixed effects): the within-benchmark residual after the non-intercept columns. When it
 * is zero, the likelihood grows without bound as theta grows, so there is no fit.
 */
function withinResidual(d: LmmDesign, s: ResponseStats): number {
  const { p, q } = d;
  let yy = 0;
  for (let k = 0; k < q; k++) yy += s.yy[k];
  const m = p - 1;
  if (m === 0) return yy;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let k = 0; k < q; k++) {
    for (let i = 0; i < m; i++) {
      b[i] += s.xty[k * p + i + 1];
      for (let j = 0; j < m; j++) a[i * m + j] += d.crossprods[(k * p + i + 1) * p + j + 1];
    }
  }
  const l = new Float64Array(m * m);
  if (!cholesky(a, m, l)) return yy;
  const rhs = Float64Array.from(b);
  cholSolve(l, m, b);
  let bb = 0;
  for (let i = 0; i < m; i++) bb += rhs[i] * b[i];
  return yy - bb;
}

/** Grid of theta values (quarter decades from 1e-4 to 1e4) that brackets the optimum. */
const THETA_GRID = Array.from({ length: 33 }, (_, i) => 10 ** (-4 + i / 4));

/**
 * Minimizes the profiled deviance over theta >= 0: a coarse log grid finds the basin, Brent
 * refines inside the neighbouring grid interval, and theta = 0 is compared explicitly so a
 * boundary optimum comes out as exactly 0 (a singular fit, as lme4 reports it).
 */
function optimizeTheta(dev: (theta: number) => number): number {
  let bestK = -1;
  let bestF = dev(0);
  for (let k = 0; k < THETA_GRID.length; k++) {
    const f = dev(THETA_GRID[k]);
    if (f < bestF) {
      bestF = f;
      bestK = k;
    }
  }
  // The deviance grows like q log(theta^2) without bound, so the grid's top is never the
  // optimum for sane data; extend it upward just in case.
  let hi = bestK + 1 < THETA_GRID.length ? THETA_GRID[bestK + 1] : THETA_GRID[bestK] * 10;
  while (bestK === THETA_GRID.length - 1 && dev(hi) < dev(hi / 10) && hi < 1e12) hi *= 10;
  const lo = bestK >= 1 ? THETA_GRID[bestK - 1] : 0;
  const { x, fx } = brentMinimize(dev, lo, hi);
  // The deviance depends on theta^2, so it is flat at 0: a boundary optimum shows up as a tiny
  // theta whose deviance equals dev(0) to rounding. Report it as exactly 0, the boundary.
  const f0 = dev(0);
  return f0 <= fx + 1e-10 * Math.max(1, Math.abs(fx)) ? 0 : x;
}

/**
 * Fits the model to y by REML or ML.
 * @throws InsufficientDataError when the residual variance is zero (the fixed effects and
 *   benchmark intercepts reproduce every score exactly), where the likelihood is unbounded.
 * @example fitLmm(design, scores, 'REML').beta // [intercept, b_w, b_w2] for X = [1, w, w^2]
 */
export function fitLmm(d: LmmDesign, y: ArrayLike<number>, method: FitMethod): LmmFit {
  const stats = responseStats(d, y);
  const prof = profiledDeviance(d, stats, method);
  if (!(withinResidual(d, stats) > prof.state().r2Floor)) {
    throw new InsufficientDataError(
      'the scores have no residual variance: benchmark offsets and the curve reproduce every score exactly',
    );
  }
  const theta = optimizeTheta(prof.deviance);
  const deviance = prof.deviance(theta);
  if (!Number.isFinite(deviance)) {
    throw new InsufficientDataError(
      'the scores have no residual variance: the model reproduces every score exactly',
    );
  }
  prof.solveAt(theta);
  const { l, beta, df } = prof.state();
  const betaOut = Array.from(beta);
  betaOut[0] += stats.center;
  // Recompute the weighted residual sum of squares from residuals: more accurate than the
  // cross-product form used while searching.
  const t2 = theta * theta;
  const sums = new Float64Array(d.q);
  const resid = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    let fitted = 0;
    for (let a = 0; a < d.p; a++) fitted += d.x[i * d.p + a] * betaOut[a];
    resid[i] = y[i] - fitted;
    sums[d.group[i]] += resid[i];
  }
  let r2 = 0;
  for (let i = 0; i < d.n; i++) {
    const k = d.group[i];
    r2 += (resid[i] - sums[k] / d.counts[k]) ** 2;
  }
  for (let k = 0; k < d.q; k++) {
    r2 += (sums[k] * sums[k]) / (d.counts[k] * (1 + d.counts[k] * t2));
  }
  const sigma2 = r2 / df;
  const inv = cholInverse(l, d.p);
  const se = betaOut.map((_, i) => Math.sqrt(sigma2 * inv[i * d.p + i]));
  return {
    method,
    beta: betaOut,
    se,
    t: betaOut.map((b, i) => b / se[i]),
    theta,
    sigma2Group: sigma2 * t2,
    sigma2Residual: sigma2,
    logLik: -deviance / 2,
    deviance,
    // lme4's isSingular(): theta below 1e-4.
    singular: theta < 1e-4,
  };
}

/**
 * Refits only the REML fixed effects for a new response on the same design: the cheap path of
 * the parametric bootstrap (no standard errors, no residual pass).
 */
export function fitFixedEffects(d: LmmDesign, y: ArrayLike<number>, method: FitMethod): number[] {
  const stats = responseStats(d, y);
  const prof = profiledDeviance(d, stats, method);
  const theta = optimizeTheta(prof.deviance);
  if (!prof.solveAt(theta) || !(prof.state().r2 > prof.state().r2Floor)) {
    throw new InsufficientDataError('the scores have no residual variance');
  }
  const beta = Array.from(prof.state().beta);
  beta[0] += stats.center;
  return beta;
}
