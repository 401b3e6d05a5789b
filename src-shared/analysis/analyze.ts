import { PlwError } from '../errors';
import {
  bestPlw,
  lambdaInterval,
  lambdaIntervalOls,
  verdict,
  type LambdaInterval,
  type NoVertexReason,
} from './bestPlw';
import { InsufficientDataError } from './errors';
import {
  describeFlag,
  excludedBenchmarks,
  flagReason,
  informationFlags,
  type BenchmarkFlag,
} from './information';
import { kenwardRogerTest, type KenwardRogerTest } from './kenwardRoger';
import type { LmmFit } from './lmm';
import { describePower, powerNote, type PowerDesign, type PowerNote } from './power';
import { likelihoodRatioTest, type LikelihoodRatioTest } from './lrt';
import { DEFAULT_EXPONENT, fitQuadratic, plwToW, quadraticDesigns, type ScorePoint } from './model';
import { olsQuadraticFit } from './ols';
import {
  aggregateCurve,
  benchmarkCurves,
  zScoreByBenchmark,
  type AggregatePoint,
  type BenchmarkCurve,
} from './perBenchmark';
import type { ScoreRow } from './scoresCsv';

export interface AnalysisOptions {
  /** w = plw^exponent. */
  exponent?: number;
  /** Parametric bootstrap replicates for the lambda interval; 0 skips it. */
  bootstrap?: number;
  seed?: number;
  /** Z-score each benchmark within a group before fitting (default off, as the paper). */
  zscore?: boolean;
  /** One group per (dataset, model) instead of pooling models per dataset. */
  splitModels?: boolean;
  /** Significance level of the verdict. */
  alpha?: number;
  /**
   * Per benchmark, include (true) or exclude (false) it from the fit; benchmarks not named
   * follow the default (constant ones and ones at chance in every cell excluded, see
   * `excludedBenchmarks`).
   */
  benchmarks?: Readonly<Record<string, boolean>>;
}

/** What a group's scores can and cannot say, before any fit: flags and exclusions. */
export interface GroupInformation {
  /** Every benchmark of the group, fitted or not, in order of first appearance. */
  allBenchmarks: string[];
  flags: BenchmarkFlag[];
  excluded: string[];
  /** The flags in words ("demo_gen: every score is 0 — excluded"), one per flagged or excluded benchmark. */
  notes: string[];
  /** Chance level per benchmark, where every score of it gives the same one. */
  chance: Record<string, number | null>;
}

/** Flags, exclusions and chance levels of a group's rows (see information.ts). */
export function groupInformation(
  rows: readonly ScoreRow[],
  overrides: Readonly<Record<string, boolean>> = {},
): GroupInformation {
  const allBenchmarks = [...new Set(rows.map((r) => r.benchmark))];
  const flags = informationFlags(rows);
  const excluded = excludedBenchmarks(flags, overrides).filter((b) => allBenchmarks.includes(b));
  const notes = flags.map((f) => describeFlag(f, excluded.includes(f.benchmark)));
  for (const b of excluded) {
    if (!flags.some((f) => f.benchmark === b)) notes.push(`${b}: excluded by choice`);
  }
  const chance: Record<string, number | null> = {};
  for (const b of allBenchmarks) {
    const levels = new Set(rows.filter((r) => r.benchmark === b).map((r) => r.chance ?? null));
    chance[b] = levels.size === 1 ? ([...levels][0] ?? null) : null;
  }
  return { allBenchmarks, flags, excluded, notes, chance };
}

/** Why a benchmark was left out: its flag's reason, or "by choice". */
export function excludedReason(information: GroupInformation, benchmark: string): string {
  const flag = information.flags.find((f) => f.benchmark === benchmark);
  return flag && flag.kind !== 'below_chance' ? flagReason(flag) : 'excluded by choice';
}

/** A fit in the `plw analyze --json` shape of docs/CLI.md "Analysis", plus t values and theta. */
export interface FitReport {
  intercept: number;
  w: number;
  w2: number;
  se: { intercept: number; w: number; w2: number };
  t: { intercept: number; w: number; w2: number };
  sigma2Benchmark: number;
  sigma2Residual: number;
  logLik: number;
  theta: number;
  singular: boolean;
}

/** One group's analysis: docs/CLI.md "Analysis": its fields first, then the extras beyond the paper. */
export interface GroupAnalysis {
  group: { dataset: string | null; model: string | null };
  n: number;
  benchmarks: number;
  /**
   * 'mixed': score ~ w + w^2 + (1|benchmark) (REML/ML fits as lme4); 'ols': one informative
   * benchmark, score ~ w + w^2 by least squares (reml = the unbiased fit, ml = the ML fit).
   */
  method: 'mixed' | 'ols';
  reml: FitReport;
  ml: FitReport;
  /** Likelihood-ratio test on the ML fits (the paper's test, lme4's anova): reported beside. */
  lrt: LikelihoodRatioTest;
  /**
   * The verdict's test: Kenward–Roger F-test of w and w^2 on the REML fit (pbkrtest's
   * KRmodcomp), or the exact F-test of the least-squares fit for one benchmark.
   */
  kr: KenwardRogerTest;
  vertexW: number | null;
  lambda: number | null;
  exponent: number;
  /** Why lambda is null; null when it is not. */
  noLambdaReason: NoVertexReason | null;
  lambdaInterval: LambdaInterval | null;
  verdict: string;
  benchmarkNames: string[];
  /** The models pooled into this group (one unless pooled). */
  models: string[];
  zscored: boolean;
  perBenchmark: BenchmarkCurve[];
  aggregate: AggregatePoint[];
  /** Flags, exclusions and chance levels (the fit used every benchmark not excluded). */
  information: GroupInformation;
  /** The smallest effect the sweep could detect; null when it cannot be computed. */
  power: PowerNote | null;
  /** `power` in words, shown under the verdict. */
  powerText: string | null;
}

function fitReport(fit: LmmFit): FitReport {
  const [b0, bw, bw2] = fit.beta;
  const [s0, sw, sw2] = fit.se;
  const [t0, tw, tw2] = fit.t;
  return {
    intercept: b0,
    w: bw,
    w2: bw2,
    se: { intercept: s0, w: sw, w2: sw2 },
    t: { intercept: t0, w: tw, w2: tw2 },
    sigma2Benchmark: fit.sigma2Group,
    sigma2Residual: fit.sigma2Residual,
    logLik: fit.logLik,
    theta: fit.theta,
    singular: fit.singular,
  };
}

/** Names a group in messages: `dataset "alpaca", model "tiny"`. */
export function describeGroup(g: { dataset: string | null; model: string | null }): string {
  const parts: string[] = [];
  if (g.dataset !== null) parts.push(`dataset "${g.dataset}"`);
  if (g.model !== null) parts.push(`model "${g.model}"`);
  return parts.length > 0 ? parts.join(', ') : 'all scores';
}

/**
 * Splits rows into analysis groups: per dataset, pooling models (docs/METHOD.md "Analysis"), or per
 * (dataset, model) when `splitModels`. Groups keep the order of first appearance.
 */
export function groupRows(
  rows: ScoreRow[],
  splitModels: boolean,
): { dataset: string | null; models: string[]; model: string | null; rows: ScoreRow[] }[] {
  const groups = new Map<
    string,
    { dataset: string | null; model: string | null; rows: ScoreRow[] }
  >();
  for (const row of rows) {
    const model = splitModels ? row.model : null;
    const key = JSON.stringify([row.dataset, model]);
    const g = groups.get(key) ?? { dataset: row.dataset, model, rows: [] };
    g.rows.push(row);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const models = [...new Set(g.rows.map((r) => r.model).filter((m) => m !== null))];
    // A pooled group that holds a single model is reported under that model's name.
    const model =
      g.model ?? (models.length === 1 && g.rows.every((r) => r.model !== null) ? models[0] : null);
    return { dataset: g.dataset, model, models, rows: g.rows };
  });
}

/**
 * Analyses one group's scores: the REML and ML fits, the likelihood-ratio test, the best PLW
 * with its bootstrap interval, the verdict and the per-benchmark view.
 * @throws InsufficientDataError (with the group named) when the group cannot be fitted.
 */
export function analyzeGroup(
  group: { dataset: string | null; model: string | null; models: string[]; rows: ScoreRow[] },
  options: AnalysisOptions = {},
): GroupAnalysis {
  const exponent = options.exponent ?? DEFAULT_EXPONENT;
  const information = groupInformation(group.rows, options.benchmarks);
  const rows = group.rows.filter((r) => !information.excluded.includes(r.benchmark));
  let points: ScorePoint[] = rows.map((r) => ({
    plw: r.plw,
    benchmark: r.benchmark,
    score: r.score,
    lower: r.lower ?? null,
    upper: r.upper ?? null,
  }));
  try {
    if (points.length === 0) {
      throw new InsufficientDataError(
        `every benchmark is excluded (${information.notes.join('; ')})`,
      );
    }
    if (options.zscore) points = zScoreByBenchmark(points);
    const fitted = [...new Set(points.map((pt) => pt.benchmark))];
    const alpha = options.alpha ?? 0.05;
    const replicates = options.bootstrap ?? 1000;
    const seed = options.seed ?? 42;
    let method: GroupAnalysis['method'];
    let reml: LmmFit;
    let ml: LmmFit;
    let lrt: LikelihoodRatioTest;
    let kr: KenwardRogerTest;
    let powerDesign: PowerDesign;
    let interval: (vertexLambda: number | null) => LambdaInterval | null;
    if (fitted.length === 1) {
      // One informative benchmark: no between-benchmark variance to estimate, so least
      // squares, with its exact F-test (what Kenward–Roger reduces to without random effects).
      const w = points.map((pt) => plwToW(pt.plw, exponent));
      if (new Set(w).size < 3) {
        throw new InsufficientDataError(
          `need scores at 3 or more distinct PLW values to fit a quadratic in w, got ${new Set(w).size}`,
        );
      }
      const ols = olsQuadraticFit(
        w,
        points.map((pt) => pt.score),
      );
      method = 'ols';
      ({ reml, ml, lrt } = ols);
      kr = ols.f;
      powerDesign = { kind: 'ols', w };
      interval = (lambda) =>
        lambda !== null && replicates > 0
          ? lambdaIntervalOls(w, reml, { replicates, seed, exponent })
          : null;
    } else {
      const designs = quadraticDesigns(points, exponent);
      const fits = fitQuadratic(designs);
      method = 'mixed';
      ({ reml, ml } = fits);
      lrt = likelihoodRatioTest(fits.ml, fits.nullMl, 2);
      const test = kenwardRogerTest(
        designs.full,
        reml.beta,
        reml.sigma2Group,
        reml.sigma2Residual,
        [1, 2],
      );
      if (test === null) {
        throw new InsufficientDataError('the Kenward–Roger covariance of w and w^2 is singular');
      }
      kr = test;
      powerDesign = { kind: 'mixed', design: designs.full, sigma2Benchmark: reml.sigma2Group };
      interval = (lambda) =>
        lambda !== null && replicates > 0
          ? lambdaInterval(designs.full, reml, { replicates, seed, exponent })
          : null;
    }
    const vertex = bestPlw(reml.beta[1], reml.beta[2], exponent);
    const lambdaCi = interval(vertex.lambda);
    const flagsOf = (kind: string) =>
      information.flags.filter((f) => f.kind === kind && fitted.includes(f.benchmark));
    // z-scores are in standard deviations, not score points: no power note for them. A design
    // the power computation cannot handle loses the note, never the fit.
    let power: PowerNote | null = null;
    if (!options.zscore) {
      try {
        power = powerNote(rows, powerDesign, reml.sigma2Residual, { alpha });
      } catch (err) {
        if (!(err instanceof InsufficientDataError)) throw err;
      }
    }
    const curves = benchmarkCurves(points, exponent).map((c) => ({
      ...c,
      chance: options.zscore ? null : (information.chance[c.benchmark] ?? null),
    }));
    return {
      group: { dataset: group.dataset, model: group.model },
      n: points.length,
      benchmarks: fitted.length,
      method,
      reml: fitReport(reml),
      ml: fitReport(ml),
      lrt,
      kr,
      vertexW: vertex.vertexW,
      lambda: vertex.lambda,
      exponent,
      noLambdaReason: vertex.reason,
      lambdaInterval: lambdaCi,
      verdict: verdict(kr.p, vertex, lambdaCi, alpha, {
        atChance: flagsOf('at_chance').length,
        benchmarks: fitted.length,
        oneBenchmark: method === 'ols' ? fitted[0] : null,
        belowChance: flagsOf('below_chance').map((f) => f.benchmark),
        excluded: information.excluded.map((b) => ({
          benchmark: b,
          reason: excludedReason(information, b),
        })),
      }),
      benchmarkNames: fitted,
      models: group.models,
      zscored: options.zscore ?? false,
      perBenchmark: curves,
      aggregate: aggregateCurve(points, exponent),
      information,
      power,
      powerText: power === null ? null : describePower(power),
    };
  } catch (err) {
    if (err instanceof PlwError) {
      throw new PlwError(err.code, `${describeGroup(group)}: ${err.message}`, err.detail);
    }
    throw err;
  }
}

/** Analyses every group of the rows (see `groupRows`). */
export function analyzeScores(rows: ScoreRow[], options: AnalysisOptions = {}): GroupAnalysis[] {
  return groupRows(rows, options.splitModels ?? false).map((g) => analyzeGroup(g, options));
}
