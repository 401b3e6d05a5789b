import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeScores } from '../../src-shared/analysis/analyze';
import { plwToW } from '../../src-shared/analysis/model';
import type { ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { aggregateFigure, perBenchmarkFigure } from '../../src-shared/export/figures';
import { niceTicks, plwLabel } from '../../src-shared/export/svg';
import { Rng } from '../../src-shared/random';

const PLWS = [0, 0.0005, 0.002236, 0.01, 0.02463, 0.05, 0.1, 0.2463, 0.5, 1];

function scores(): ScoreRow[] {
  const rng = new Rng(11);
  const rows: ScoreRow[] = [];
  for (const dataset of ['long', 'short <&>']) {
    for (const benchmark of ['arc', 'piqa', 'wino', 'tqa']) {
      const offset = 0.05 * rng.normal();
      for (const plw of PLWS) {
        const w = plwToW(plw);
        const score = 0.5 + offset + 0.2 * w - 0.18 * w * w + 0.01 * rng.normal();
        rows.push({ plw, benchmark, score, dataset, model: 'tiny' });
      }
    }
  }
  return rows;
}

const rows = scores();
const analyses = analyzeScores(rows, { bootstrap: 0 });

describe('SVG figures', () => {
  it('per-benchmark: one panel per benchmark, every point, a curve per series, PLW ticks', () => {
    const svg = perBenchmarkFigure(analyses);
    for (const b of ['arc', 'piqa', 'wino', 'tqa']) expect(svg).toContain(`>${b}</text>`);
    // 2 datasets x 4 benchmarks x 10 PLWs points, plus 2 legend markers.
    expect(svg.match(/<circle /g)).toHaveLength(80 + 2);
    expect(svg.match(/<path /g)).toHaveLength(8);
    for (const label of ['>0<', '>5e-4<', '>0.01<', '>0.1<', '>0.5<', '>1<']) {
      expect(svg).toContain(label);
    }
    // Text is escaped, so the document stays well-formed XML.
    expect(svg).toContain('short &lt;&amp;&gt;');
    expect(svg).not.toContain('short <&>');
  });

  it('aggregate: one line per model x dataset through the benchmark means', () => {
    const svg = aggregateFigure(rows);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(20 + 2);
    expect(svg).toContain('dataset &quot;long&quot;, model &quot;tiny&quot;');
  });

  it('ticks and labels', () => {
    expect(niceTicks(0.12, 0.87, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.5, 0.5)).toEqual([0.44, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56]);
    expect(PLWS.map(plwLabel)).toEqual([
      '0',
      '5e-4',
      '0.0022',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
    ]);
  });

  const rsvg = spawnSync('rsvg-convert', ['--version']);
  it.skipIf(rsvg.error !== undefined && process.env.CI !== 'true')(
    'renders with librsvg (a strict SVG parser)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'plw-fig-'));
      try {
        for (const [name, svg] of [
          ['per-benchmark', perBenchmarkFigure(analyses)],
          ['aggregate', aggregateFigure(rows)],
        ]) {
          const file = join(dir, `${name}.svg`);
          writeFileSync(file, svg);
          const r = spawnSync('rsvg-convert', ['-o', join(dir, `${name}.png`), file]);
          expect(r.status, String(r.stderr)).toBe(0);
          expect(
            readFileSync(join(dir, `${name}.png`))
              .subarray(1, 4)
              .toString(),
          ).toBe('PNG');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
