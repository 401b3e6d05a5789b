import { describe, expect, it } from 'vitest';
import { analyzeScores } from '../../src-shared/analysis/analyze';
import { wilsonInterval } from '../../src-shared/analysis/intervals';
import { plwToW } from '../../src-shared/analysis/model';
import { noiseVariance } from '../../src-shared/analysis/power';
import type { ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { Rng } from '../../src-shared/random';

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
  it('fits benchmarks the user brings back, says so, and never reports a fit from chance scores alone', () => {
    const [long] = analyzeScores(
      issueDemo().filter((r) => r.dataset === 'demo-long'),
      {
        bootstrap: 0,
        benchmarks: { demo_gen: true, demo_mc: true },
      },
    );
    expect(long!.benchmarks).toBe(2);
    expect(long!.information.notes).toEqual([
      'demo_mc: at chance (0.25) in every cell — included by choice',
      'demo_gen: every score is 0 — included by choice',
    ]);
    expect(long!.verdict).toMatch(/— 1 of 2 benchmarks is at chance$/);
  });

  it('by default leaves out constant benchmarks and ones at chance in every cell, naming both', () => {
    expect(() =>
      analyzeScores(
        issueDemo().filter((r) => r.dataset === 'demo-long'),
        { bootstrap: 0 },
      ),
    ).toThrow(
      'dataset "demo-long", model "demo-base": every benchmark is excluded (demo_mc: at chance (0.25) in every cell — excluded; demo_gen: every score is 0 — excluded)',
    );
  });

  it('flags a benchmark clearly below chance and keeps it in the fit', () => {
    // demo_mc: 8/60 on a four-way task at one PLW (Wilson [0.069, 0.242], wholly below 0.25),
    // every cell below chance; arc: an informative benchmark well above chance.
    const mc = [8, 12, 10, 14, 9];
    const arc = [40, 44, 47, 45, 41];
    const rows = PLWS.flatMap((plw, i) => [
      scored('d', plw, 'demo_mc', mc[i]!, 60, 0.25),
      scored('d', plw, 'arc', arc[i]!, 60, 0.25),
    ]);
    const [g] = analyzeScores(rows, { bootstrap: 0 });
    expect(g!.information.flags).toEqual([
      { benchmark: 'demo_mc', kind: 'below_chance', chance: 0.25, cells: 1 },
    ]);
    expect(g!.information.excluded).toEqual([]);
    expect(g!.benchmarks).toBe(2);
    expect(g!.information.notes).toEqual([
      'demo_mc: below chance (0.25): the model prefers wrong answers, likely a format or scoring problem — kept',
    ]);
    expect(g!.verdict).toMatch(/demo_mc is below chance$/);
  });

  it('says every benchmark is at chance when none has information', () => {
    const rows = issueDemo().map((r) =>
      r.benchmark === 'demo_gen'
        ? scored(r.dataset!, r.plw, 'other_mc', 3 + (r.plw > 0.1 ? 1 : 0), 12, 0.25)
        : r,
    );
    const [long] = analyzeScores(
      rows.filter((r) => r.dataset === 'demo-long'),
      { bootstrap: 0, benchmarks: { demo_mc: true, other_mc: true } },
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
    const [g] = analyzeScores(rows, {
      bootstrap: 0,
      benchmarks: { demo_gen: true, demo_mc: true },
    });
    expect(g!.power!.source).toBe('items');
    expect(g!.powerText).toMatch(
      /^smallest PLW effect this sweep could detect: a rise of 0\.\d+ in score from PLW 0 to the best PLW \(the paper's concave curve, peak at PLW ≈ 0\.14; F-test of w and w², α = 0.05, 80% power; noise from item sampling only/,
    );
  });
});
