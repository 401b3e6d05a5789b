import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeScores } from '../../src-shared/analysis/analyze';
import { wilsonInterval } from '../../src-shared/analysis/intervals';
import { plwToW } from '../../src-shared/analysis/model';
import { minimumDetectableEffect, noiseVariance } from '../../src-shared/analysis/power';
import type { ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { Rng } from '../../src-shared/random';
import { REPO_ROOT } from '../helpers/paths';

const PLWS = [0, 0.002236, 0.02463, 0.2463, 1];

/** A scored benchmark row with its Wilson interval, as the app stores it. */
function scored(
  dataset: string,
  plw: number,
  benchmark: string,
  correct: number,
  n: number,
  chance: number,
  seed: number | null = null,
): ScoreRow {
  const p = correct / n;
  const ci = wilsonInterval(p, n);
  return {
    dataset,
    model: 'demo-base',
    plw,
    benchmark,
    score: p,
    n,
    chance,
    stderr: Math.sqrt((p * (1 - p)) / (n - 1)),
    lower: ci.lower,
    upper: ci.upper,
    seed,
  };
}

/** The issue's demo: demo_gen 0 everywhere, demo_mc between 0.15 and 0.28 of 60 (chance 0.25). */
function issueDemo(): ScoreRow[] {
  const mc = [9, 17, 12, 15, 14, 16, 10, 13, 17, 11];
  const rows: ScoreRow[] = [];
  ['demo-long', 'demo-short'].forEach((dataset, d) =>
    PLWS.forEach((plw, i) => {
      rows.push(scored(dataset, plw, 'demo_mc', mc[d * 5 + i] as number, 60, 0.25));
      rows.push(scored(dataset, plw, 'demo_gen', 0, 12, 0));
    }),
  );
  return rows;
}

describe('benchmarks that carry no information', () => {
  it('excludes a constant benchmark, says so, and never reports a fit from chance scores alone', () => {
    const [long] = analyzeScores(
      issueDemo().filter((r) => r.dataset === 'demo-long'),
      {
        bootstrap: 0,
        benchmarks: { demo_gen: true },
      },
    );
    expect(long!.information.notes).toEqual([
      'demo_mc: at chance (0.25) in every cell',
      'demo_gen: every score is 0 — included by choice',
    ]);
    expect(long!.verdict).toMatch(/— 1 of 2 benchmarks is at chance$/);
  });

  it('by default leaves the constant benchmark out, so one benchmark cannot be fitted', () => {
    expect(() =>
      analyzeScores(
        issueDemo().filter((r) => r.dataset === 'demo-long'),
        { bootstrap: 0 },
      ),
    ).toThrow(/need scores from at least 2 benchmarks/);
  });

  it('says every benchmark is at chance when none has information', () => {
    const rows = issueDemo().map((r) =>
      r.benchmark === 'demo_gen'
        ? scored(r.dataset!, r.plw, 'other_mc', 3 + (r.plw > 0.1 ? 1 : 0), 12, 0.25)
        : r,
    );
    const [long] = analyzeScores(
      rows.filter((r) => r.dataset === 'demo-long'),
      { bootstrap: 0 },
    );
    expect(long!.verdict).toMatch(
      /^no detectable effect \(p = [\d.e-]+\) — all 2 benchmarks are at chance in every cell, so the data could not show an effect$/,
    );
  });

  it('excludes any benchmark on request and re-fits without it', () => {
    const rng = new Rng(5);
    const rows: ScoreRow[] = [];
    for (const benchmark of ['a', 'b', 'c'])
      for (const plw of PLWS) {
        const w = plwToW(plw);
        rows.push({
          dataset: 'd',
          model: 'm',
          plw,
          benchmark,
          score: 0.5 + 0.3 * w - 0.25 * w * w + 0.01 * rng.normal(),
        });
      }
    const [all] = analyzeScores(rows, { bootstrap: 0 });
    const [noC] = analyzeScores(rows, { bootstrap: 0, benchmarks: { c: false } });
    expect(all!.benchmarks).toBe(3);
    expect(noC!.benchmarks).toBe(2);
    expect(noC!.n).toBe(10);
    expect(noC!.information.notes).toEqual(['c: excluded by choice']);
    expect(noC!.reml.w).not.toBeCloseTo(all!.reml.w, 6);
  });
});

describe('power note', () => {
  const ref = JSON.parse(
    readFileSync(join(REPO_ROOT, 'test/reference/stats/fixtures.json'), 'utf8'),
  ) as {
    mde: {
      plw: number[];
      benchmark: string[];
      exponent: number;
      sigma: number;
      alpha: number;
      power: number;
      mde: number;
    };
  };

  it("matches R: (qnorm(0.975) + qnorm(0.8)) · σ · sqrt(lm's unscaled Var(b_w)) (1e-8 relative)", () => {
    const m = ref.mde;
    const ours = minimumDetectableEffect(
      m.plw.map((p) => plwToW(p, m.exponent)),
      m.benchmark,
      m.sigma ** 2,
      m.alpha,
      m.power,
    );
    expect(Math.abs(ours - m.mde) / m.mde).toBeLessThan(1e-8);
  });

  it('detects an effect of its own size about 80% of the time (simulated sweeps)', () => {
    const rng = new Rng(11);
    const w = PLWS.flatMap((p) => [0, 1, 2].map(() => plwToW(p)));
    const sigma = 0.05;
    const mde = minimumDetectableEffect(
      [...w, ...w],
      [...w.map(() => 'a'), ...w.map(() => 'b')],
      sigma ** 2,
    );
    let hits = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      // OLS slope of y = mde·w + noise within one benchmark pair, z-test with known σ.
      let sxy = 0;
      let sxx = 0;
      for (let k = 0; k < 2; k++) {
        const ys = w.map((x) => mde * x + sigma * rng.normal());
        const wm = w.reduce((a, b) => a + b, 0) / w.length;
        const ym = ys.reduce((a, b) => a + b, 0) / ys.length;
        w.forEach((x, i) => {
          sxy += (x - wm) * ((ys[i] as number) - ym);
          sxx += (x - wm) ** 2;
        });
      }
      if (Math.abs(sxy / sxx / (sigma / Math.sqrt(sxx))) > 1.959964) hits++;
    }
    expect(hits / trials).toBeGreaterThan(0.74);
    expect(hits / trials).toBeLessThan(0.86);
  });

  it('takes the noise from seed replicates when there are any, else from the items', () => {
    const rows = [
      scored('d', 0, 'a', 30, 60, 0.25, 1),
      scored('d', 0, 'a', 36, 60, 0.25, 2),
      scored('d', 1, 'a', 40, 60, 0.25, 1),
      scored('d', 1, 'a', 40, 60, 0.25, 2),
    ];
    // Cells (0, a): 0.5 and 0.6; (1, a): 0.667 twice: ss 0.005 on 2 df.
    const rep = noiseVariance(rows)!;
    expect(rep).toMatchObject({ source: 'replicates', count: 2 });
    expect(rep.variance).toBeCloseTo(0.0025, 12);
    const single = rows.filter((r) => r.seed === 1);
    const items = noiseVariance(single)!;
    expect(items.source).toBe('items');
    expect(items.variance).toBeCloseTo(((0.5 * 0.5) / 59 + ((40 / 60) * (20 / 60)) / 59) / 2, 12);
  });

  it('is shown under the verdict of a fitted group', () => {
    const rows = issueDemo().filter((r) => r.dataset === 'demo-short');
    const [g] = analyzeScores(rows, { bootstrap: 0, benchmarks: { demo_gen: true } });
    expect(g!.power!.source).toBe('items');
    expect(g!.powerText).toMatch(
      /^smallest PLW effect this sweep could detect: 0\.\d+ \(score change from PLW 0 to 1, α = 0.05, 80% power; noise from item sampling only/,
    );
  });
});
