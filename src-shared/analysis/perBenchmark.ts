import { InsufficientDataError } from './errors';
import { DEFAULT_EXPONENT, plwToW, type ScorePoint } from './model';
import { quadraticNormalEquations } from './ols';

/** Ordinary least-squares fit of score = b0 + b_w w + b_w2 w^2. */
export interface QuadraticOls {
  intercept: number;
  w: number;
  w2: number;
}

/**
 * OLS quadratic in w (see `quadraticNormalEquations`).
 * @throws InsufficientDataError with fewer than 3 distinct w values.
 * @example olsQuadratic([0, 0.5, 1], [0.3, 0.5, 0.4]) // { intercept: 0.3, w: 0.6, w2: -0.5 }
 */
export function olsQuadratic(w: number[], y: number[]): QuadraticOls {
  const { beta } = quadraticNormalEquations(w, y);
  return { intercept: beta[0], w: beta[1], w2: beta[2] };
}

/** Evaluates a quadratic in w. */
export function evalQuadratic(c: QuadraticOls, w: number): number {
  return c.intercept + c.w * w + c.w2 * w * w;
}

export interface BenchmarkCurve {
  benchmark: string;
  /** One per score (replicates included), with its 95% interval where known. */
  points: { plw: number; w: number; score: number; lower: number | null; upper: number | null }[];
  /** The benchmark's own OLS quadratic; null when it has fewer than 3 distinct PLW values. */
  fit: QuadraticOls | null;
  /** Expected score of guessing (dashed line in the panel); null when unknown. */
  chance?: number | null;
}

/**
 * Each benchmark's scores against w with its own quadratic fit (the per-benchmark panels of
 * docs/METHOD.md "Figures"). Benchmarks in order of first appearance; points sorted by PLW.
 */
export function benchmarkCurves(
  points: ScorePoint[],
  exponent = DEFAULT_EXPONENT,
): BenchmarkCurve[] {
  const byBenchmark = new Map<string, ScorePoint[]>();
  for (const pt of points) {
    const list = byBenchmark.get(pt.benchmark) ?? [];
    list.push(pt);
    byBenchmark.set(pt.benchmark, list);
  }
  return [...byBenchmark].map(([benchmark, list]) => {
    const pts = list
      .map((pt) => ({
        plw: pt.plw,
        w: plwToW(pt.plw, exponent),
        score: pt.score,
        lower: pt.lower ?? null,
        upper: pt.upper ?? null,
      }))
      .sort((a, b) => a.plw - b.plw);
    const distinct = new Set(pts.map((pt) => pt.w)).size;
    const fit =
      distinct >= 3
        ? olsQuadratic(
            pts.map((pt) => pt.w),
            pts.map((pt) => pt.score),
          )
        : null;
    return { benchmark, points: pts, fit };
  });
}

export interface AggregatePoint {
  plw: number;
  w: number;
  /** Unweighted mean over benchmarks of each benchmark's mean score at this PLW. */
  mean: number;
  /** Benchmarks that had a score at this PLW (fewer than all means a missing cell). */
  benchmarks: number;
}

/**
 * The aggregate curve: per PLW, replicates are averaged within each benchmark first, then the
 * benchmarks are averaged with equal weight (the naive mean of the aggregate figure, docs/METHOD.md "Figures",
 * which the mixed model exists to correct: with missing cells it can mislead).
 */
export function aggregateCurve(
  points: ScorePoint[],
  exponent = DEFAULT_EXPONENT,
): AggregatePoint[] {
  const cells = new Map<number, Map<string, { sum: number; count: number }>>();
  for (const pt of points) {
    const byBench = cells.get(pt.plw) ?? new Map<string, { sum: number; count: number }>();
    const acc = byBench.get(pt.benchmark) ?? { sum: 0, count: 0 };
    acc.sum += pt.score;
    acc.count += 1;
    byBench.set(pt.benchmark, acc);
    cells.set(pt.plw, byBench);
  }
  return [...cells]
    .sort((a, b) => a[0] - b[0])
    .map(([plw, byBench]) => {
      let sum = 0;
      for (const acc of byBench.values()) sum += acc.sum / acc.count;
      return {
        plw,
        w: plwToW(plw, exponent),
        mean: sum / byBench.size,
        benchmarks: byBench.size,
      };
    });
}

/**
 * Z-scores each benchmark's scores (subtract its mean, divide by its sample standard
 * deviation) so benchmarks on different scales weigh alike when pooled.
 * @throws InsufficientDataError when a benchmark has fewer than 2 scores or constant scores.
 */
export function zScoreByBenchmark(points: ScorePoint[]): ScorePoint[] {
  const stats = new Map<string, { n: number; mean: number; m2: number }>();
  for (const pt of points) {
    // Welford's running mean and sum of squared deviations.
    const s = stats.get(pt.benchmark) ?? { n: 0, mean: 0, m2: 0 };
    s.n += 1;
    const delta = pt.score - s.mean;
    s.mean += delta / s.n;
    s.m2 += delta * (pt.score - s.mean);
    stats.set(pt.benchmark, s);
  }
  const sd = new Map<string, number>();
  for (const [benchmark, s] of stats) {
    const v = s.n > 1 ? s.m2 / (s.n - 1) : 0;
    if (!(v > 0)) {
      throw new InsufficientDataError(
        `cannot z-score benchmark "${benchmark}": its scores do not vary`,
      );
    }
    sd.set(benchmark, Math.sqrt(v));
  }
  // Intervals are in score units: they do not carry over to z-scores.
  return points.map((pt) => ({
    ...pt,
    score: (pt.score - stats.get(pt.benchmark)!.mean) / sd.get(pt.benchmark)!,
    lower: null,
    upper: null,
  }));
}
