import { describe, expect, it } from 'vitest';
import { analyzeScores } from '../../src-shared/analysis/analyze';
import { parseCsv } from '../../src-shared/analysis/csvParse';
import { plwToW } from '../../src-shared/analysis/model';
import { parseScoresCsv, type ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { formatExport } from '../../src-shared/export/document';
import { latexEscape, toLatex } from '../../src-shared/export/latex';
import { toMarkdown } from '../../src-shared/export/markdown';
import { formatNumber, type Table } from '../../src-shared/export/table';
import { resultsTable, type ResultRow } from '../../src-shared/export/tables';
import { Rng } from '../../src-shared/random';

const PLWS = [0, 0.002236, 0.01, 0.05, 0.1, 0.2463, 0.5, 1];

function scores(): ScoreRow[] {
  const rng = new Rng(5);
  const rows: ScoreRow[] = [];
  for (const benchmark of ['arc_challenge', 'piqa', 'winogrande']) {
    const offset = 0.05 * rng.normal();
    for (const plw of PLWS) {
      const w = plwToW(plw);
      const score = 0.5 + offset + 0.22 * w - 0.2 * w * w + 0.01 * rng.normal();
      rows.push({ plw, benchmark, score, dataset: 'alpaca_100%', model: 'tiny "a"' });
    }
  }
  return rows;
}

const results: ResultRow[] = scores().map((r) => ({ ...r, metric: 'acc' }));
const analyses = analyzeScores(scores(), { bootstrap: 100, seed: 3 });

describe('tables', () => {
  it('CSV results round-trip through the CSV parser at full precision', () => {
    const csv = formatExport('csv', results, analyses);
    const records = parseCsv(csv, 'export.csv');
    expect(records[0].fields).toEqual([
      'dataset',
      'model',
      'plw',
      'benchmark',
      'metric',
      'score',
      'lower',
      'upper',
      'n',
      'chance',
    ]);
    expect(records).toHaveLength(results.length + 1);
    const sorted = resultsTable(results).rows;
    records.slice(1).forEach((rec, i) => {
      expect(rec.fields[1]).toBe('tiny "a"');
      expect(Number(rec.fields[5])).toBe(sorted[i].score);
    });
    expect(csv).toContain('"tiny ""a"""');
  });

  it("carries each score's interval and chance level, which the analysis reads back", () => {
    const withCi: ResultRow[] = results.map((r) => ({
      ...r,
      n: 100,
      chance: 0.25,
      lower: r.score - 0.09,
      upper: r.score + 0.09,
    }));
    const rows = parseScoresCsv(formatExport('csv', withCi, analyses), 'export.csv');
    expect(rows[0]).toMatchObject({ n: 100, chance: 0.25 });
    expect(rows[0]!.upper! - rows[0]!.lower!).toBeCloseTo(0.18, 12);
    const [a] = analyzeScores(rows, { bootstrap: 0 });
    // These scores sit 0.25 above chance with ±0.09 intervals: nothing is flagged.
    expect(a!.information.notes).toEqual([]);
    const md = formatExport('md', withCi, [a!]);
    expect(md).toContain('| Chance |');
    expect(md).toContain('Detectable effect');
  });

  it('JSON holds both tables with the analysis numbers unrounded', () => {
    const doc = JSON.parse(formatExport('json', results, analyses)) as {
      results: Record<string, unknown>[];
      analysis: Record<string, unknown>[];
    };
    expect(doc.results).toHaveLength(results.length);
    expect(doc.analysis).toHaveLength(1);
    const a = doc.analysis[0];
    expect(a.w2).toBe(analyses[0].reml.w2);
    expect(a.p).toBe(analyses[0].lrt.p);
    // The verdict's test (Kenward–Roger) beside the LRT.
    expect(a.krF).toBe(analyses[0].kr.F);
    expect(a.krNdf).toBe(2);
    expect(a.krDdf).toBe(analyses[0].kr.ddf);
    expect(a.krP).toBe(analyses[0].kr.p);
    expect(a.method).toBe('mixed model');
    expect(a.lambda).toBe(analyses[0].lambda);
    expect(a.lambdaLower).toBe(analyses[0].lambdaInterval!.lower);
  });

  it('carries the flags of benchmarks at or below chance into every table format', () => {
    // arc at chance in every cell (left out), piqa clearly below chance (kept).
    const flagged: ResultRow[] = results.map((r) => {
      if (r.benchmark === 'arc_challenge') {
        return { ...r, n: 100, chance: 0.25, lower: 0.15, upper: 0.35, score: 0.25 + r.plw * 0.01 };
      }
      if (r.benchmark === 'piqa') {
        const score = r.score - 0.3;
        return { ...r, n: 100, chance: 0.5, lower: score - 0.05, upper: score + 0.05, score };
      }
      return r;
    });
    const rows = parseScoresCsv(formatExport('csv', flagged, analyses), 'export.csv');
    const [a] = analyzeScores(rows, { bootstrap: 0 });
    expect(a!.information.flags.map((f) => [f.benchmark, f.kind])).toEqual([
      ['arc_challenge', 'at_chance'],
      ['piqa', 'below_chance'],
    ]);
    const json = JSON.parse(formatExport('json', flagged, [a!])) as {
      analysis: Record<string, unknown>[];
    };
    expect(json.analysis[0]!.flags).toBe('arc_challenge: at chance (excluded); piqa: below chance');
    expect(formatExport('md', flagged, [a!])).toContain(
      'arc_challenge: at chance (excluded); piqa: below chance',
    );
    expect(formatExport('tex', flagged, [a!])).toContain('piqa: below chance');
  });

  it('Markdown has a header, an alignment rule and one line per row', () => {
    const md = formatExport('md', results, analyses);
    expect(md).toContain('## Results');
    expect(md).toContain('## Analysis');
    const analysisLines = md.split('## Analysis')[1].trim().split('\n');
    expect(analysisLines).toHaveLength(3);
    expect(analysisLines[0]).toMatch(/^\| Dataset \| Model \| n \|/);
    expect(analysisLines[1]).toMatch(/^\| --- \| --- \| ---: \|/);
    expect(analysisLines[2]).toContain('| alpaca_100% | tiny "a" | 24 | 3 |');
  });

  it('LaTeX is a booktabs table with escaped text and math-mode numbers', () => {
    const tex = formatExport('tex', results, analyses);
    expect(tex.match(/\\begin\{tabular\}/g)).toHaveLength(2);
    expect(tex.match(/\\toprule/g)).toHaveLength(2);
    expect(tex.match(/\\bottomrule/g)).toHaveLength(2);
    expect(tex).toContain('alpaca\\_100\\%');
    expect(tex).toContain('arc\\_challenge');
    expect(latexEscape('a_b & {c} ~ ^ \\ $ #')).toBe(
      'a\\_b \\& \\{c\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\$ \\#',
    );
    const t: Table = {
      columns: [{ key: 'x', label: 'x', digits: 2 }],
      rows: [{ x: -0.5 }, { x: 3.3e-14 }],
    };
    expect(toLatex(t)).toContain('$-0.5$ \\\\');
    expect(toLatex(t)).toContain('$3.3 \\times 10^{-14}$ \\\\');
  });

  it('Markdown escapes pipes and rounds numbers to the column digits', () => {
    const t: Table = {
      columns: [
        { key: 'name', label: 'a|b' },
        { key: 'v', label: 'v', digits: 3 },
      ],
      rows: [{ name: 'x|y', v: 0.123456 }],
    };
    expect(toMarkdown(t)).toBe('| a\\|b | v |\n| --- | ---: |\n| x\\|y | 0.123 |\n');
    expect(formatNumber(null)).toBe('');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(0.000123, 2)).toBe('1.2e-4');
  });
});
