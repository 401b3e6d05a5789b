import { describe, expect, it } from 'vitest';
import { analyzeScores, groupRows } from '../../src-shared/analysis/analyze';
import { plwToW } from '../../src-shared/analysis/model';
import { aggregateCurve } from '../../src-shared/analysis/perBenchmark';
import type { ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { Rng } from '../../src-shared/random';

const PLWS = [0, 0.0005, 0.002236, 0.01, 0.02463, 0.05, 0.1, 0.2463, 0.5, 1];

/** Two datasets x two models: PLW helps on "long" (vertex w 0.55), does nothing on "flat". */
function sweep(): ScoreRow[] {
  const rng = new Rng(3);
  const rows: ScoreRow[] = [];
  for (const dataset of ['long', 'flat']) {
    for (const model of ['m1', 'm2']) {
      for (const benchmark of ['arc', 'piqa', 'wino']) {
        const offset = 0.1 * rng.normal();
        for (const plw of PLWS) {
          const w = plwToW(plw);
          const curve = dataset === 'long' ? 0.22 * w - 0.2 * w * w : 0;
          const score = 0.5 + offset + curve + 0.01 * rng.normal();
          rows.push({ plw, benchmark, score, dataset, model });
        }
      }
    }
  }
  return rows;
}

describe('analysis per group', () => {
  it('pools models per dataset by default and splits them on request', () => {
    const rows = sweep();
    expect(groupRows(rows, false).map((g) => [g.dataset, g.model, g.rows.length])).toEqual([
      ['long', null, 60],
      ['flat', null, 60],
    ]);
    expect(groupRows(rows, true).map((g) => [g.dataset, g.model, g.rows.length])).toEqual([
      ['long', 'm1', 30],
      ['long', 'm2', 30],
      ['flat', 'm1', 30],
      ['flat', 'm2', 30],
    ]);
  });

  it('finds the effect and best PLW where there is one, and none where there is not', () => {
    const [long, flat] = analyzeScores(sweep(), { bootstrap: 200, seed: 1 });
    expect(long.group).toEqual({ dataset: 'long', model: null });
    expect(long.models).toEqual(['m1', 'm2']);
    expect(long.n).toBe(60);
    expect(long.benchmarks).toBe(3);
    // Pooled models share a benchmark intercept, so model offsets count as noise: p is modest.
    expect(long.lrt.p).toBeLessThan(1e-3);
    expect(long.vertexW).toBeCloseTo(0.55, 1);
    expect(long.lambda).toBeCloseTo(long.vertexW! ** (1 / 0.30103), 12);
    expect(long.lambdaInterval!.lower!).toBeLessThan(long.lambda!);
    expect(long.lambdaInterval!.upper!).toBeGreaterThan(long.lambda!);
    expect(long.verdict).toMatch(/^PLW matters \(p = .*\); best PLW ≈ 0\.\d+ \[0\.\d+, 0\.\d+\]$/);
    expect(flat.lrt.p).toBeGreaterThan(0.05);
    expect(flat.verdict).toMatch(/^no detectable effect \(p = 0\.\d+\)$/);
    // No bootstrap is spent on a fit without a vertex; with one, 0 replicates skips it.
    const skipped = analyzeScores(sweep(), { bootstrap: 0 });
    expect(skipped[0].lambdaInterval).toBeNull();
  });

  it('names the group when a group cannot be fitted', () => {
    const rows = sweep().filter((r) => !(r.dataset === 'flat' && r.plw > 0.001));
    expect(() => analyzeScores(rows, { bootstrap: 0 })).toThrow(
      'dataset "flat": need scores at 3 or more distinct PLW values',
    );
  });

  it('averages replicates within a benchmark before averaging benchmarks', () => {
    const pts = [
      { plw: 0.1, benchmark: 'a', score: 0.2 },
      { plw: 0.1, benchmark: 'a', score: 0.4 },
      { plw: 0.1, benchmark: 'a', score: 0.6 },
      { plw: 0.1, benchmark: 'b', score: 0.8 },
      { plw: 1, benchmark: 'b', score: 0.5 },
    ];
    const agg = aggregateCurve(pts);
    expect(agg.map((p) => [p.plw, p.w, p.benchmarks])).toEqual([
      [0.1, plwToW(0.1), 2],
      [1, 1, 1],
    ]);
    // (mean of a = 0.4, b = 0.8) -> 0.6, not the pooled mean of all four (0.5).
    expect(agg[0].mean).toBeCloseTo(0.6, 12);
    expect(agg[1].mean).toBeCloseTo(0.5, 12);
  });
});
