import { describe, expect, it } from 'vitest';
import { InsufficientDataError } from '../../src-shared/analysis/errors';
import { fitLmm, makeDesign } from '../../src-shared/analysis/lmm';
import { fitQuadratic, quadraticDesigns } from '../../src-shared/analysis/model';
import { olsQuadratic, zScoreByBenchmark } from '../../src-shared/analysis/perBenchmark';

const plws = [0, 0.01, 0.1, 0.5, 1];

describe('mixed model refuses data it cannot fit', () => {
  it('a single benchmark (lme4 refuses one grouping level)', () => {
    const pts = plws.map((plw, i) => ({ plw, benchmark: 'arc', score: 0.3 + 0.01 * i * i }));
    expect(() => quadraticDesigns(pts)).toThrow(InsufficientDataError);
    expect(() => quadraticDesigns(pts)).toThrow(/at least 2 benchmarks/);
  });

  it('fewer than 3 distinct PLW values', () => {
    const pts = ['a', 'b', 'c'].flatMap((benchmark) =>
      [0, 1].map((plw) => ({ plw, benchmark, score: Math.random() })),
    );
    expect(() => quadraticDesigns(pts)).toThrow(/3 or more distinct PLW values.*got 2/);
  });

  it('no more scores than benchmarks', () => {
    expect(() => makeDesign([[1], [1]], [0, 1], 2)).toThrow(/more scores than benchmarks/);
  });

  it('scores the model reproduces exactly (zero residual variance)', () => {
    const pts = ['a', 'b'].flatMap((benchmark, k) =>
      plws.map((plw) => ({ plw, benchmark, score: 0.1 * k + 0.2 * plw ** 0.30103 })),
    );
    expect(() => fitQuadratic(quadraticDesigns(pts))).toThrow(/no residual variance/);
  });

  it('an intercept-free design is a programming error, not a fit', () => {
    expect(() => makeDesign([[2], [1], [1]], [0, 1, 1], 2)).toThrow(/intercept/);
  });

  it('z-scoring a constant benchmark', () => {
    const pts = [
      { plw: 0, benchmark: 'a', score: 0.5 },
      { plw: 1, benchmark: 'a', score: 0.5 },
    ];
    expect(() => zScoreByBenchmark(pts)).toThrow(/do not vary/);
  });

  it('a per-benchmark quadratic needs 3 distinct PLWs', () => {
    expect(() => olsQuadratic([0, 1, 1], [0.1, 0.2, 0.3])).toThrow(InsufficientDataError);
  });
});

describe('mixed model on an intercept-only design', () => {
  it('matches the one-way random-effects ANOVA estimates for balanced data', () => {
    // Balanced one-way layout: REML equals the ANOVA (method-of-moments) estimates when they are
    // positive: sigma2 = MSW, sigma2_b = (MSB - MSW) / m (Searle, Casella & McCulloch 1992, 3.7).
    const groups = [
      [1.0, 1.4, 0.9, 1.3],
      [2.1, 2.5, 2.2, 1.8],
      [0.2, 0.5, 0.1, 0.6],
    ];
    const m = 4;
    const y = groups.flat();
    const d = makeDesign(
      y.map(() => [1]),
      groups.flatMap((g, k) => g.map(() => k)),
      3,
    );
    const fit = fitLmm(d, y, 'REML');
    const means = groups.map((g) => g.reduce((a, b) => a + b) / m);
    const grand = means.reduce((a, b) => a + b) / 3;
    const msw =
      groups.reduce((s, g, k) => s + g.reduce((t, v) => t + (v - means[k]) ** 2, 0), 0) /
      (3 * (m - 1));
    const msb = (m * means.reduce((s, v) => s + (v - grand) ** 2, 0)) / 2;
    // The optimum in theta is found to ~1e-8 (the deviance is flat there): 7 decimals.
    expect(fit.sigma2Residual).toBeCloseTo(msw, 7);
    expect(fit.sigma2Group).toBeCloseTo((msb - msw) / m, 7);
    expect(fit.beta[0]).toBeCloseTo(grand, 12);
  });
});
