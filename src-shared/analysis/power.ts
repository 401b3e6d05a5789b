/**
 * How large a PLW effect a sweep could have seen: the power note under the verdict. An effect is
 * measured as the change in score between PLW 0 and PLW 1 along a straight line in w, the
 * simplest effect the quadratic model contains; smaller effects can go unseen.
 */
import { InsufficientDataError } from './errors';
import { normalQuantile } from './intervals';
import { DEFAULT_EXPONENT, plwToW } from './model';
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

/**
 * The smallest slope b_w (= the change in score from PLW 0 to PLW 1 along a line in w) that a
 * two-sided test at level `alpha` detects with probability `power`, by the normal
 * approximation for a regression coefficient (Cohen 1988, ch. 9): with benchmark intercepts
 * in the model, Var(b_w) = σ² / Sxx, Sxx = Σ (w_i - w̄_benchmark(i))², so
 * MDE = (z_{1-α/2} + z_power) · σ / sqrt(Sxx).
 * @throws InsufficientDataError when the w values do not vary within any benchmark.
 * @example minimumDetectableEffect([0, 0.5, 1, 0, 0.5, 1], ['a','a','a','b','b','b'], 0.01)
 *   // 0.0495… (R: (qnorm(0.975) + qnorm(0.8)) * 0.1 / sqrt(1))
 */
export function minimumDetectableEffect(
  w: readonly number[],
  benchmark: readonly string[],
  variance: number,
  alpha = 0.05,
  power = 0.8,
): number {
  const sums = new Map<string, { sum: number; n: number }>();
  w.forEach((x, i) => {
    const s = sums.get(benchmark[i] as string) ?? { sum: 0, n: 0 };
    s.sum += x;
    s.n += 1;
    sums.set(benchmark[i] as string, s);
  });
  let sxx = 0;
  w.forEach((x, i) => {
    const s = sums.get(benchmark[i] as string)!;
    sxx += (x - s.sum / s.n) ** 2;
  });
  if (!(sxx > 0)) {
    throw new InsufficientDataError('PLW does not vary within any benchmark: no power to compute');
  }
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return (z * Math.sqrt(variance)) / Math.sqrt(sxx);
}

export interface PowerNote {
  /** Smallest detectable change in score from PLW 0 to PLW 1 (score units). */
  mde: number;
  sigma: number;
  source: NoiseSource;
  count: number;
  alpha: number;
  power: number;
}

/**
 * The power note of a group's rows: `noiseVariance` (or `residualVariance` when it has
 * nothing) fed to `minimumDetectableEffect` on the rows' own w values.
 */
export function powerNote(
  rows: readonly ScoreRow[],
  residualVariance: number,
  options: { exponent?: number; alpha?: number; power?: number } = {},
): PowerNote {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const noise = noiseVariance(rows) ?? {
    variance: residualVariance,
    source: 'residual' as const,
    count: rows.length,
  };
  const w = rows.map((r) => plwToW(r.plw, options.exponent ?? DEFAULT_EXPONENT));
  const mde = minimumDetectableEffect(
    w,
    rows.map((r) => r.benchmark),
    noise.variance,
    alpha,
    power,
  );
  return { mde, sigma: Math.sqrt(noise.variance), ...noise, alpha, power };
}

/**
 * The note in words: "smallest effect this sweep could detect: 0.093 (score change from PLW 0
 * to 1, α = 0.05, 80% power; noise from 4 seed-replicate degrees of freedom)".
 */
export function describePower(note: PowerNote): string {
  const source = {
    replicates: `noise from seed replicates (${note.count} df)`,
    items: 'noise from item sampling only (binomial / bootstrap), so real effects must be larger',
    residual: "noise from the fit's residual variance (no replicates or standard errors)",
  }[note.source];
  const mde = Number(note.mde.toPrecision(2));
  return `smallest PLW effect this sweep could detect: ${mde} (score change from PLW 0 to 1, α = ${note.alpha}, ${Math.round(note.power * 100)}% power; ${source})`;
}
