import { InsufficientDataError } from './errors';
import { fitLmm, makeDesign, type LmmDesign, type LmmFit } from './lmm';

/** Default exponent of the PLW transform: w = PLW^0.30103 maps 0.1 to 0.5 and 0.01 to 0.25. */
export const DEFAULT_EXPONENT = 0.30103;

/** One benchmark score of one cell (or replicate) of a sweep. */
export interface ScorePoint {
  plw: number;
  benchmark: string;
  score: number;
  /** The score's 95% interval, where known (drawn as an error bar; not used by the fit). */
  lower?: number | null;
  upper?: number | null;
}

/**
 * w = plw^exponent, the x axis of the analysis (docs/METHOD.md "Analysis").
 * @example plwToW(0.1) // 0.5000…, plwToW(0) // 0
 */
export function plwToW(plw: number, exponent = DEFAULT_EXPONENT): number {
  return plw ** exponent;
}

/** The quadratic model's design (columns 1, w, w^2) and the intercept-only null design. */
export interface QuadraticDesigns {
  full: LmmDesign;
  nullModel: LmmDesign;
  benchmarks: string[];
  y: Float64Array;
}

/**
 * Builds the designs of `score ~ w + I(w^2) + (1|benchmark)` and `score ~ 1 + (1|benchmark)`.
 * Benchmarks are numbered in order of first appearance.
 * @throws InsufficientDataError with fewer than 3 distinct PLW values (the quadratic is not
 *   identifiable) or the conditions of `makeDesign`.
 */
export function quadraticDesigns(
  points: ScorePoint[],
  exponent = DEFAULT_EXPONENT,
): QuadraticDesigns {
  const index = new Map<string, number>();
  const group: number[] = [];
  const full: number[][] = [];
  const nullRows: number[][] = [];
  const y = new Float64Array(points.length);
  points.forEach((pt, i) => {
    let k = index.get(pt.benchmark);
    if (k === undefined) {
      k = index.size;
      index.set(pt.benchmark, k);
    }
    group.push(k);
    const w = plwToW(pt.plw, exponent);
    full.push([1, w, w * w]);
    nullRows.push([1]);
    y[i] = pt.score;
  });
  const distinct = new Set(points.map((pt) => pt.plw)).size;
  if (distinct < 3) {
    throw new InsufficientDataError(
      `need scores at 3 or more distinct PLW values to fit a quadratic in w, got ${distinct}`,
    );
  }
  return {
    full: makeDesign(full, group, index.size),
    nullModel: makeDesign(nullRows, group, index.size),
    benchmarks: [...index.keys()],
    y,
  };
}

/** Fits the quadratic model by REML and ML and the null model by ML. */
export function fitQuadratic(designs: QuadraticDesigns): {
  reml: LmmFit;
  ml: LmmFit;
  nullMl: LmmFit;
} {
  return {
    reml: fitLmm(designs.full, designs.y, 'REML'),
    ml: fitLmm(designs.full, designs.y, 'ML'),
    nullMl: fitLmm(designs.nullModel, designs.y, 'ML'),
  };
}
