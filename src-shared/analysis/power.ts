/**
 * How large a PLW effect a sweep could have seen: the power note under the verdict. The effect
 * has a stated shape, the paper's concave curve (a quadratic in w peaking at w = 0.55, PLW ≈
 * 0.14, and back to a third of its height at PLW 1), scaled so the score rises by `mde` from
 * PLW 0 to the peak. "Detectable" means the verdict's own test (the Kenward–Roger F-test of w
 * and w², or the exact F-test for one benchmark) rejects at level α with the stated power:
 * computed from the noncentral F distribution at the sweep's own design, with the noise from
 * seed replicates when present.
 */
import { InsufficientDataError } from './errors';
import { fQuantile, noncentralFUpperTail } from './fdist';
import { kenwardRogerCovariance, kenwardRogerDf } from './kenwardRoger';
import { cholInverse, cholesky } from './linalg';
import type { LmmDesign } from './lmm';
import type { ScoreRow } from './scoresCsv';

/** Where the noise variance behind a power note comes from. */
export type NoiseSource =
  /** Pooled variance between seed replicates of the same cell: includes training noise. */
  | 'replicates'
  /** Mean squared standard error of the scores (binomial for accuracies, bootstrap for BLEU):
   * item sampling only, so it understates the noise and the note is optimistic. */
  | 'items'
  /** The fit's residual variance: no replicates or standard errors were available. */
  | 'residual';

export interface NoiseEstimate {
  variance: number;
  source: NoiseSource;
  /** Degrees of freedom (replicates) or scores averaged (items). */
  count: number;
}

/**
 * The noise variance of one score, from the best evidence present: the pooled within-cell
 * variance of seed replicates, Σ(y - ȳ_cell)² / Σ(n_cell - 1), with cells keyed by (model,
 * dataset, PLW, benchmark); else the mean of the scores' squared standard errors; else null
 * (the caller falls back on the fit's residual variance).
 * @example noiseVariance([{ plw: 0, benchmark: 'a', score: 0.5, seed: 1, … }, { …, score: 0.7, seed: 2 }])
 *   // { variance: 0.02, source: 'replicates', count: 1 }
 */
export function noiseVariance(rows: readonly ScoreRow[]): NoiseEstimate | null {
  const cells = new Map<string, number[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.model, r.dataset, r.plw, r.benchmark]);
    cells.set(key, [...(cells.get(key) ?? []), r.score]);
  }
  let ss = 0;
  let df = 0;
  for (const scores of cells.values()) {
    if (scores.length < 2) continue;
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    for (const s of scores) ss += (s - mean) ** 2;
    df += scores.length - 1;
  }
  if (df > 0) return { variance: ss / df, source: 'replicates', count: df };
  const se = rows.map((r) => r.stderr).filter((s): s is number => s != null && Number.isFinite(s));
  if (se.length === 0) return null;
  return {
    variance: se.reduce((a, s) => a + s * s, 0) / se.length,
    source: 'items',
    count: se.length,
  };
}

/** The effect shape: score(w) = base + mde * (EFFECT_SHAPE.w w + EFFECT_SHAPE.w2 w^2). */
export const EFFECT_SHAPE = {
  /** Where the curve peaks: w = 0.55 (PLW = 0.55^(1/0.30103) ≈ 0.137). */
  peakW: 0.55,
  /** Coefficients of w and w² for a rise of 1 from w = 0 to the peak: w (2·0.55 - w) / 0.55². */
  w: 1.1 / 0.3025,
  w2: -1 / 0.3025,
} as const;

/** The design a power computation needs: the mixed model's, or one benchmark's w values (OLS). */
export type PowerDesign =
  | { kind: 'mixed'; design: LmmDesign; sigma2Benchmark: number }
  | { kind: 'ols'; w: readonly number[] };

/**
 * The covariance of (b_w, b_w2) per unit of noise variance scale, and the test's denominator
 * df, at the design and the given variances.
 */
function testGeometry(
  d: PowerDesign,
  variance: number,
): { cov: [number, number, number]; ddf: number } {
  if (d.kind === 'ols') {
    const xtx = new Float64Array(9);
    for (const w of d.w) {
      const row = [1, w, w * w];
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) xtx[a * 3 + b] += row[a] * row[b];
    }
    const l = new Float64Array(9);
    if (d.w.length <= 3 || !cholesky(xtx, 3, l, 1e-14)) {
      throw new InsufficientDataError('too few distinct PLW values for a power computation');
    }
    const inv = cholInverse(l, 3);
    return {
      cov: [variance * inv[4], variance * inv[5], variance * inv[8]],
      ddf: d.w.length - 3,
    };
  }
  const kr = kenwardRogerCovariance(d.design, d.sigma2Benchmark, variance);
  if (kr === null) throw new InsufficientDataError('the design has no power computation');
  const p = d.design.p;
  return {
    cov: [kr.phi[1 * p + 1], kr.phi[1 * p + 2], kr.phi[2 * p + 2]],
    ddf: kenwardRogerDf(kr, p, [1, 2]).ddf,
  };
}

/**
 * The smallest rise `mde` (score at the peak minus score at PLW 0, for EFFECT_SHAPE) that the
 * F-test of w and w² at level `alpha` detects with probability `power`: the noncentrality
 * ncp = mde² · s' Cov(b)^-1 s (s = the shape's coefficients) solves
 * P(F'(2, ddf, ncp) > F_{1-alpha}(2, ddf)) = power, with ddf the Kenward–Roger denominator df
 * at the design (n - 3 for one benchmark). Checked against simulated sweeps run through
 * `analyzeScores` in test/analysis/power.test.ts.
 * @example detectableEffect({ kind: 'ols', w }, 0.03 ** 2) // 0.05…
 */
export function detectableEffect(
  design: PowerDesign,
  variance: number,
  alpha = 0.05,
  power = 0.8,
): { mde: number; ddf: number } {
  const { cov, ddf } = testGeometry(design, variance);
  const [c11, c12, c22] = cov;
  const det = c11 * c22 - c12 * c12;
  if (!(det > 0) || !(ddf > 0)) {
    throw new InsufficientDataError('PLW does not vary enough for a power computation');
  }
  const s1 = EFFECT_SHAPE.w;
  const s2 = EFFECT_SHAPE.w2;
  // s' Cov^-1 s for the 2 x 2 covariance.
  const perUnit = (c22 * s1 * s1 - 2 * c12 * s1 * s2 + c11 * s2 * s2) / det;
  const crit = fQuantile(1 - alpha, 2, ddf);
  const powerAt = (ncp: number) => noncentralFUpperTail(crit, 2, ddf, ncp);
  let hi = 1;
  while (powerAt(hi) < power) hi *= 2;
  let lo = 0;
  while (hi - lo > 1e-10 * hi) {
    const mid = (lo + hi) / 2;
    if (powerAt(mid) < power) lo = mid;
    else hi = mid;
  }
  return { mde: Math.sqrt((lo + hi) / 2 / perUnit), ddf };
}

export interface PowerNote {
  /** Smallest detectable rise in score from PLW 0 to the peak of EFFECT_SHAPE (score units). */
  mde: number;
  sigma: number;
  source: NoiseSource;
  count: number;
  alpha: number;
  power: number;
  /** Denominator df of the test at the design. */
  ddf: number;
}

/**
 * The power note of a group's fitted rows: `noiseVariance` (or the fit's residual variance
 * when it has nothing) fed to `detectableEffect` at the group's own design.
 */
export function powerNote(
  rows: readonly ScoreRow[],
  design: PowerDesign,
  residualVariance: number,
  options: { alpha?: number; power?: number } = {},
): PowerNote {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const noise = noiseVariance(rows) ?? {
    variance: residualVariance,
    source: 'residual' as const,
    count: rows.length,
  };
  const { mde, ddf } = detectableEffect(design, noise.variance, alpha, power);
  return { mde, sigma: Math.sqrt(noise.variance), ...noise, alpha, power, ddf };
}

/**
 * The note in words: "smallest PLW effect this sweep could detect: a rise of 0.093 from PLW 0
 * to the best PLW (the paper's concave curve, peak at PLW ≈ 0.14; F-test of w and w²,
 * α = 0.05, 80% power; noise from seed replicates (4 df))".
 */
export function describePower(note: PowerNote): string {
  const source = {
    replicates: `noise from seed replicates (${note.count} df)`,
    items: 'noise from item sampling only (binomial / bootstrap), so real effects must be larger',
    residual: "noise from the fit's residual variance (no replicates or standard errors)",
  }[note.source];
  const mde = Number(note.mde.toPrecision(2));
  return `smallest PLW effect this sweep could detect: a rise of ${mde} in score from PLW 0 to the best PLW (the paper's concave curve, peak at PLW ≈ 0.14; F-test of w and w², α = ${note.alpha}, ${Math.round(note.power * 100)}% power; ${source})`;
}
