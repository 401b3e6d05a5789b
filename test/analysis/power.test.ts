import { describe, expect, it } from 'vitest';
import { analyzeScores } from '../../src-shared/analysis/analyze';
import { plwToW, quadraticDesigns } from '../../src-shared/analysis/model';
import { EFFECT_SHAPE, detectableEffect } from '../../src-shared/analysis/power';
import type { ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { Rng } from '../../src-shared/random';

/**
 * The power note's claim checked through the real analysis path: sweeps simulated with an
 * effect of exactly the note's smallest detectable size (the stated shape, true noise σ and
 * benchmark spread), each run through `analyzeScores` (REML fit, Kenward–Roger F-test, the
 * verdict's p), must be detected 80% of the time within Monte-Carlo error (400 sweeps: SE
 * 2 points, ±6 points is 3 SE), and about 5% of the time with no effect (SE 1.1 points).
 * Seeded, so the counts are the same on every run.
 */
const PLWS = [0, 0.002236, 0.02463, 0.2463, 1];
const SWEEPS = 400;

interface Design {
  benchmarks: string[];
  seeds: number[];
  sigma: number;
  sigmaBenchmark: number;
  /** Cells left out (benchmark index, PLW index), for an unbalanced design. */
  missing?: [number, number][];
}

function cells(d: Design): { plw: number; benchmark: string; seed: number }[] {
  const out: { plw: number; benchmark: string; seed: number }[] = [];
  d.benchmarks.forEach((benchmark, b) =>
    PLWS.forEach((plw, i) => {
      if (d.missing?.some(([mb, mi]) => mb === b && mi === i)) return;
      for (const seed of d.seeds) out.push({ plw, benchmark, seed });
    }),
  );
  return out;
}

function mdeOf(d: Design): number {
  const layout = cells(d);
  if (d.benchmarks.length === 1) {
    return detectableEffect({ kind: 'ols', w: layout.map((c) => plwToW(c.plw)) }, d.sigma ** 2).mde;
  }
  const designs = quadraticDesigns(layout.map((c) => ({ ...c, score: 0 })));
  return detectableEffect(
    { kind: 'mixed', design: designs.full, sigma2Benchmark: d.sigmaBenchmark ** 2 },
    d.sigma ** 2,
  ).mde;
}

function simulate(d: Design, effect: number, rng: Rng): ScoreRow[] {
  const layout = cells(d);
  const offsets = new Map(d.benchmarks.map((b) => [b, 0.5 + d.sigmaBenchmark * rng.normal()]));
  return layout.map((c) => {
    const w = plwToW(c.plw);
    return {
      dataset: 'sim',
      model: 'm',
      plw: c.plw,
      benchmark: c.benchmark,
      seed: c.seed,
      score:
        offsets.get(c.benchmark)! +
        effect * (EFFECT_SHAPE.w * w + EFFECT_SHAPE.w2 * w * w) +
        d.sigma * rng.normal(),
    };
  });
}

function detectionRate(d: Design, effect: number, seed: number): number {
  const rng = new Rng(seed);
  let hits = 0;
  for (let s = 0; s < SWEEPS; s++) {
    const [g] = analyzeScores(simulate(d, effect, rng), { bootstrap: 0 });
    if (g!.kr.p < 0.05) hits++;
  }
  return hits / SWEEPS;
}

const designs: [string, Design][] = [
  [
    '2 benchmarks x 5 PLWs x 2 seeds',
    { benchmarks: ['a', 'b'], seeds: [1, 2], sigma: 0.04, sigmaBenchmark: 0.1 },
  ],
  [
    '3 benchmarks x 5 PLWs, 3 cells missing',
    {
      benchmarks: ['a', 'b', 'c'],
      seeds: [1],
      sigma: 0.03,
      sigmaBenchmark: 0.02,
      missing: [
        [0, 1],
        [1, 3],
        [2, 4],
      ],
    },
  ],
  [
    '1 benchmark x 5 PLWs x 3 seeds',
    { benchmarks: ['a'], seeds: [1, 2, 3], sigma: 0.04, sigmaBenchmark: 0 },
  ],
];

describe('smallest detectable effect, checked by simulation through analyzeScores', () => {
  designs.forEach(([name, d], i) => {
    it(`${name}: detected 80% ± 6 points at the note's effect, about 5% with none`, () => {
      const mde = mdeOf(d);
      const hit = detectionRate(d, mde, 100 + i);
      const none = detectionRate(d, 0, 200 + i);
      console.log(`${name}: mde ${mde.toFixed(4)}, detected ${hit}, false positives ${none}`);
      expect(hit).toBeGreaterThanOrEqual(0.74);
      expect(hit).toBeLessThanOrEqual(0.86);
      expect(none).toBeGreaterThanOrEqual(0.02);
      expect(none).toBeLessThanOrEqual(0.085);
    });
  });

  it("is what the note under the verdict says, with σ from the sweep's seed replicates", () => {
    const d = designs[0]![1];
    const rows = simulate(d, 0.1, new Rng(7));
    const [g] = analyzeScores(rows, { bootstrap: 0 });
    expect(g!.power!.source).toBe('replicates');
    expect(g!.power!.count).toBe(10);
    const designsOf = quadraticDesigns(rows);
    const expected = detectableEffect(
      { kind: 'mixed', design: designsOf.full, sigma2Benchmark: g!.reml.sigma2Benchmark },
      g!.power!.sigma ** 2,
    );
    expect(g!.power!.mde).toBeCloseTo(expected.mde, 12);
    expect(g!.powerText).toMatch(
      /^smallest PLW effect this sweep could detect: a rise of 0\.\d+ in score from PLW 0 to the best PLW \(the paper's concave curve, peak at PLW ≈ 0\.14; F-test of w and w², α = 0\.05, 80% power; noise from seed replicates \(10 df\)\)$/,
    );
  });
});
