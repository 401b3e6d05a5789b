/**
 * Ordinary least squares for a group with one informative benchmark: score ~ w + w^2, where a
 * benchmark intercept is the plain intercept and there is no between-benchmark variance to
 * estimate (the mixed model needs two benchmarks). Its test of w and w^2 is the exact F-test
 * (R: anova(lm(score ~ 1), lm(score ~ w + I(w^2)))), which is also what the Kenward–Roger
 * method reduces to without random effects.
 */
import { InsufficientDataError } from './errors';
import { fUpperTail } from './fdist';
import type { KenwardRogerTest } from './kenwardRoger';
import { cholInverse, cholLogDet, cholSolve, cholesky } from './linalg';
import type { LmmFit } from './lmm';
import type { LikelihoodRatioTest } from './lrt';

export interface OlsQuadraticFit {
  /** Unbiased fit (RSS / (n - 3)), reported where the mixed model reports REML. */
  reml: LmmFit;
  /** Maximum-likelihood fit (RSS / n), reported where the mixed model reports ML. */
  ml: LmmFit;
  /** The exact F-test of w and w^2 (in the Kenward–Roger slot: KR is exact here). */
  f: KenwardRogerTest;
  lrt: LikelihoodRatioTest;
}

/**
 * Fits score = b0 + b_w w + b_w2 w^2 by least squares and tests b_w = b_w2 = 0 exactly.
 * @throws InsufficientDataError with fewer than 3 distinct w values, no more than 3 scores, or
 *   no residual variance.
 * @example olsQuadraticFit(w, y).f // { F: 3.154, ndf: 2, ddf: 7, scaling: 1, p: 0.1055 }
 */
export function olsQuadraticFit(w: readonly number[], y: readonly number[]): OlsQuadraticFit {
  const n = w.length;
  const p = 3;
  if (n <= p) throw new InsufficientDataError(`need more than 3 scores for a quadratic, got ${n}`);
  const { beta, l } = quadraticNormalEquations(w, y);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    rss += (y[i] - beta[0] - beta[1] * w[i] - beta[2] * w[i] * w[i]) ** 2;
    tss += (y[i] - mean) ** 2;
  }
  if (!(rss > 1e-20 * Math.max(tss, 1e-300))) {
    throw new InsufficientDataError('the scores have no residual variance: the curve fits exactly');
  }
  const inv = cholInverse(l, 3);
  const logDetXtx = cholLogDet(l, 3);
  const fit = (method: 'REML' | 'ML'): LmmFit => {
    const df = method === 'REML' ? n - p : n;
    const sigma2 = rss / df;
    // lme4's criteria with V = I: REML adds log det(X'X) (the model's REML criterion).
    const base = df * (1 + Math.log((2 * Math.PI * rss) / df));
    const deviance = method === 'REML' ? base + logDetXtx : base;
    const se = [0, 1, 2].map((i) => Math.sqrt(sigma2 * inv[i * 3 + i]));
    return {
      method,
      beta: Array.from(beta),
      se,
      t: se.map((s, i) => beta[i] / s),
      theta: 0,
      sigma2Group: 0,
      sigma2Residual: sigma2,
      logLik: -deviance / 2,
      deviance,
      singular: false,
    };
  };
  const ddf = n - p;
  const fStat = (tss - rss) / 2 / (rss / ddf);
  return {
    reml: fit('REML'),
    ml: fit('ML'),
    f: { F: fStat, ndf: 2, ddf, scaling: 1, p: fUpperTail(fStat, 2, ddf) },
    lrt: likelihoodRatioOls(n, rss, tss),
  };
}

/**
 * Solves the normal equations of score = b0 + b_w w + b_w2 w^2 (Cholesky; w lies in [0, 1], so
 * X'X is well conditioned for three columns).
 * @throws InsufficientDataError with fewer than 3 distinct w values or w values too close.
 */
export function quadraticNormalEquations(
  w: readonly number[],
  y: readonly number[],
): { beta: Float64Array; l: Float64Array } {
  if (new Set(w).size < 3) {
    throw new InsufficientDataError('need 3 or more distinct PLW values for a quadratic fit');
  }
  const xtx = new Float64Array(9);
  const beta = new Float64Array(3);
  for (let i = 0; i < w.length; i++) {
    const row = [1, w[i], w[i] * w[i]];
    for (let a = 0; a < 3; a++) {
      beta[a] += row[a] * y[i];
      for (let b = 0; b < 3; b++) xtx[a * 3 + b] += row[a] * row[b];
    }
  }
  const l = new Float64Array(9);
  if (!cholesky(xtx, 3, l, 1e-14)) {
    throw new InsufficientDataError('the PLW values are too close together for a quadratic fit');
  }
  cholSolve(l, 3, beta);
  return { beta, l };
}

/** The LRT of the quadratic against the constant: chisq = n log(RSS_null / RSS_full) on 2 df. */
function likelihoodRatioOls(n: number, rss: number, tss: number): LikelihoodRatioTest {
  const chisq = Math.max(0, n * Math.log(tss / rss));
  // P(chi2_2 > x) = exp(-x / 2) exactly.
  return { chisq, df: 2, p: Math.exp(-chisq / 2) };
}
