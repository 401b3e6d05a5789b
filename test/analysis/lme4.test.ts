import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitQuadratic, quadraticDesigns, type ScorePoint } from '../../src-shared/analysis/model';
import { benchmarkCurves, zScoreByBenchmark } from '../../src-shared/analysis/perBenchmark';
import { likelihoodRatioTest } from '../../src-shared/analysis/lrt';
import type { LmmFit } from '../../src-shared/analysis/lmm';
import { REPO_ROOT } from '../helpers/paths';

/**
 * Reference numbers from R lme4 1.1-31, produced by
 *   Rscript test/reference/lme4/make_fixtures.R > test/reference/lme4/fixtures.json
 * (lmer(score ~ w + I(w^2) + (1|benchmark)) by REML and ML with tight optimizer tolerances,
 * and anova(null, full)). Tolerance: 1e-5 relative on everything (most agree to 1e-9; the
 * large_ratio case, theta ~ 279, is so flat in theta that double precision pins theta only to
 * ~1e-6 in either implementation), with an absolute floor of
 * 1e-9 for variance components (a singular fit's benchmark variance is 0 here and ~1e-22 in
 * lme4) and 1e-13 for p-values (ours are 1 - CDF, exact to about 1e-16 absolute).
 */
interface RefFit {
  fixef: number[];
  se: number[];
  t: number[];
  sigma2Benchmark: number;
  sigma2Residual: number;
  theta: number[];
  logLik: number;
  singular: boolean;
}
interface Scenario {
  name: string;
  exponent: number;
  data: { plw: number[]; benchmark: string[]; score: number[] };
  reml: RefFit;
  ml: RefFit;
  nullMl: RefFit;
  lrt: { chisq: number; df: number; p: number };
}
const fixtures = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/lme4/fixtures.json'), 'utf8'),
) as {
  scenarios: Scenario[];
  missingCellsPerBenchmarkLm: Record<string, number[]>;
  missingCellsZscoredReml: RefFit;
};

function scenarioPoints(sc: Scenario): ScorePoint[] {
  return sc.data.plw.map((plw, i) => ({
    plw,
    benchmark: sc.data.benchmark[i],
    score: sc.data.score[i],
  }));
}

const REL = 1e-5;

function close(actual: number, expected: number, abs = 0): void {
  const tol = Math.max(REL * Math.abs(expected), abs);
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/** Loops over the reference's coefficients, so one we fail to produce fails the test. */
function compareFit(ours: LmmFit, ref: RefFit): void {
  expect(ours.beta.length).toBe(ref.fixef.length);
  ref.fixef.forEach((b, i) => close(ours.beta[i]!, b, 1e-12));
  ref.se.forEach((s, i) => close(ours.se[i]!, s));
  ref.t.forEach((t, i) => close(ours.t[i]!, t, 1e-9));
  close(ours.sigma2Group, ref.sigma2Benchmark, 1e-9);
  close(ours.sigma2Residual, ref.sigma2Residual);
  close(ours.logLik, ref.logLik);
  expect(ours.singular).toBe(ref.singular);
}

describe('mixed model against lme4', () => {
  for (const sc of fixtures.scenarios) {
    it(`${sc.name}: REML, ML, null ML and the LRT agree with lme4`, () => {
      const fits = fitQuadratic(quadraticDesigns(scenarioPoints(sc), sc.exponent));
      compareFit(fits.reml, sc.reml);
      compareFit(fits.ml, sc.ml);
      compareFit(fits.nullMl, sc.nullMl);
      const lrt = likelihoodRatioTest(fits.ml, fits.nullMl, 2);
      expect(lrt.df).toBe(sc.lrt.df);
      close(lrt.chisq, sc.lrt.chisq);
      close(lrt.p, sc.lrt.p, 1e-13);
    });
  }
});

describe('per-benchmark view against R', () => {
  const sc = fixtures.scenarios.find((s) => s.name === 'missing_cells')!;

  it("each benchmark's own quadratic matches lm(score ~ w + I(w^2))", () => {
    const curves = benchmarkCurves(scenarioPoints(sc), sc.exponent);
    expect(curves.map((c) => c.benchmark).sort()).toEqual(
      Object.keys(fixtures.missingCellsPerBenchmarkLm).sort(),
    );
    for (const [benchmark, ref] of Object.entries(fixtures.missingCellsPerBenchmarkLm)) {
      const c = curves.find((x) => x.benchmark === benchmark);
      expect(c?.fit, benchmark).toBeTruthy();
      close(c!.fit!.intercept, ref[0]!, 1e-12);
      close(c!.fit!.w, ref[1]!, 1e-12);
      close(c!.fit!.w2, ref[2]!, 1e-12);
    }
  });

  it('z-scored pooling matches lmer on scores scaled within each benchmark', () => {
    const z = zScoreByBenchmark(scenarioPoints(sc));
    const fits = fitQuadratic(quadraticDesigns(z, sc.exponent));
    compareFit(fits.reml, fixtures.missingCellsZscoredReml);
  });
});
