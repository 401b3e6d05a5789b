import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chanceLevel, normalQuantile, wilsonInterval } from '../../src-shared/analysis/intervals';
import { segmentStats } from '../../src-shared/bleu';
import { bleuBootstrapInterval } from '../../src-shared/bleu/bootstrap';
import { corpusBleu } from '../../src-shared/bleu';
import { scoreInterval, scoreUncertainty } from '../../src-shared/metrics';
import { REPO_ROOT } from '../helpers/paths';

/**
 * Reference numbers from base R 4.2.2, produced by
 *   Rscript test/reference/stats/make_stats.R > test/reference/stats/fixtures.json
 * (qnorm; prop.test(x, n, correct = FALSE)$conf.int for Wilson). Tolerance: 1e-8 absolute on
 * quantiles (Acklam's approximation is good to ~1.2e-9 relative), 1e-8 on interval ends.
 */
const ref = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/stats/fixtures.json'), 'utf8'),
) as {
  qnorm: { p: number; q: number }[];
  wilson: { x: number; n: number; lower: number; upper: number }[];
};

describe('normal quantile against R qnorm', () => {
  for (const { p, q } of ref.qnorm) {
    it(`qnorm(${p})`, () => {
      expect(Math.abs(normalQuantile(p) - q)).toBeLessThan(1e-8 * Math.max(1, Math.abs(q)));
    });
  }
  it('refuses p outside (0, 1)', () => {
    expect(() => normalQuantile(1)).toThrow(/not in \(0, 1\)/);
  });
});

describe('Wilson interval against R prop.test', () => {
  for (const { x, n, lower, upper } of ref.wilson) {
    it(`${x} of ${n}`, () => {
      const ci = wilsonInterval(x / n, n);
      expect(Math.abs(ci.lower - lower)).toBeLessThan(1e-8);
      expect(Math.abs(ci.upper - upper)).toBeLessThan(1e-8);
    });
  }
  it('throws on no items instead of returning a bogus interval', () => {
    expect(() => wilsonInterval(0.5, 0)).toThrow(/n >= 1/);
  });
});

describe('chance level and score uncertainty', () => {
  it('averages 1/choices over the items', () => {
    expect(chanceLevel([4, 4, 4])).toBe(0.25);
    expect(chanceLevel([4, 2])).toBeCloseTo(0.375, 15);
    expect(() => chanceLevel([])).toThrow(/no items/);
  });

  it('gives accuracies a Wilson interval on n items and BLEU only its bootstrap', () => {
    // The demo_mc: 0.25 on 60 four-way items is chance, and its interval says so.
    const u = scoreUncertainty('acc', 0.25, 60, 0.25, null);
    expect(u.n).toBe(60);
    expect(u.chance).toBe(0.25);
    expect(u.lower).toBeCloseTo(0.157765225300567, 9);
    expect(u.upper).toBeCloseTo(0.372320700770478, 9);
    expect(u.stderr).toBeCloseTo(Math.sqrt((0.25 * 0.75) / 59), 12);
    expect(scoreInterval('bleu', 20, 100)).toBeNull();
    expect(scoreInterval('bleu', 20, 100, { lower: 18, upper: 22 })).toEqual({
      lower: 18,
      upper: 22,
    });
    // A metric the app does not know gets no interval rather than a wrong one.
    expect(scoreUncertainty('f1', 0.5, 60, 0, null)).toMatchObject({ lower: null, chance: null });
  });
});

describe('BLEU bootstrap over sentences', () => {
  const refs = [
    'the cat sat on the mat',
    'a dog ran in the park today',
    'we went home after the game',
    'she reads a book every night',
    'the sun rises in the east',
    'they built a small house by the river',
  ];
  const hyps = [
    'the cat sat on a mat',
    'a dog ran in the park',
    'we went home after a game',
    'she reads every night',
    'the sun rises in east',
    'they built a house by the river',
  ];
  const stats = hyps.map((h, i) => segmentStats(h, [refs[i] as string]));

  it('brackets corpus BLEU, is reproducible from its seed and has a positive spread', () => {
    const score = corpusBleu(hyps, [refs]).score;
    const a = bleuBootstrapInterval(stats, { replicates: 400, seed: 7 });
    const b = bleuBootstrapInterval(stats, { replicates: 400, seed: 7 });
    expect(a).toEqual(b);
    expect(a.lower).toBeLessThan(score);
    expect(a.upper).toBeGreaterThan(score);
    expect(a.stderr).toBeGreaterThan(0);
  });

  it('narrows as the test set grows', () => {
    const small = bleuBootstrapInterval(stats, { replicates: 400 });
    const big = bleuBootstrapInterval([...stats, ...stats, ...stats, ...stats], {
      replicates: 400,
    });
    expect(big.upper - big.lower).toBeLessThan(small.upper - small.lower);
  });

  it('is [0, 0] when nothing matches', () => {
    const none = ['x y z', 'q r s'].map((h, i) => segmentStats(h, [refs[i] as string]));
    expect(bleuBootstrapInterval(none, { replicates: 50 })).toMatchObject({ lower: 0, upper: 0 });
  });
});
