import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plw } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';

/** lme4's numbers for the scenarios (see test/reference/lme4/README.md). */
const fixtures = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/lme4/fixtures.json'), 'utf8'),
) as {
  scenarios: {
    name: string;
    data: { plw: number[]; benchmark: string[]; score: number[] };
    reml: { fixef: number[]; se: number[]; sigma2Benchmark: number; logLik: number };
    ml: { fixef: number[]; logLik: number };
    lrt: { chisq: number; p: number };
  }[];
};

const dir = mkdtempSync(join(tmpdir(), 'plw-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two datasets in one CSV: the "quadratic" and "null_effect" scenarios. */
function writeScores(): string {
  const lines = ['plw,benchmark,score,dataset'];
  for (const name of ['quadratic', 'null_effect']) {
    const d = fixtures.scenarios.find((s) => s.name === name)!.data;
    d.plw.forEach((p, i) => lines.push(`${p},${d.benchmark[i]},${d.score[i]},${name}`));
  }
  const file = join(dir, 'scores.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('plw analyze', () => {
  const file = writeScores();

  it('prints the docs/CLI.md "Analysis" JSON per dataset, agreeing with lme4', () => {
    const r = plw(['analyze', file, '--json', '--bootstrap', '200']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out).toHaveLength(2);
    for (const [i, name] of ['quadratic', 'null_effect'].entries()) {
      const ref = fixtures.scenarios.find((s) => s.name === name)!;
      const g = out[i] as {
        group: { dataset: string; model: null };
        n: number;
        benchmarks: number;
        reml: { intercept: number; w: number; w2: number; se: { w2: number }; logLik: number };
        ml: { w2: number; logLik: number; sigma2Benchmark: number; sigma2Residual: number };
        lrt: { chisq: number; df: number; p: number };
        vertexW: number | null;
        lambda: number | null;
      };
      expect(g.group).toEqual({ dataset: name, model: null });
      expect(g.n).toBe(ref.data.plw.length);
      expect(g.benchmarks).toBe(4);
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      expect(rel(g.reml.w2, ref.reml.fixef[2])).toBeLessThan(1e-5);
      expect(rel(g.reml.se.w2, ref.reml.se[2])).toBeLessThan(1e-5);
      expect(rel(g.reml.logLik, ref.reml.logLik)).toBeLessThan(1e-5);
      expect(rel(g.ml.logLik, ref.ml.logLik)).toBeLessThan(1e-5);
      expect(rel(g.lrt.chisq, ref.lrt.chisq)).toBeLessThan(1e-5);
      expect(g.lrt.df).toBe(2);
      expect(Object.keys(g.ml)).toEqual(
        expect.arrayContaining([
          'intercept',
          'w',
          'w2',
          'se',
          'sigma2Benchmark',
          'sigma2Residual',
          'logLik',
        ]),
      );
    }
    const quad = out[0] as { vertexW: number; lambda: number; reml: { w: number; w2: number } };
    expect(quad.vertexW).toBeCloseTo(-quad.reml.w / (2 * quad.reml.w2), 12);
    expect(quad.lambda).toBeCloseTo(quad.vertexW ** (1 / 0.30103), 12);
    expect(out[1].vertexW).toBeNull();
    expect(out[1].lambda).toBeNull();
  });

  it('prints a readable report without --json', () => {
    const r = plw(['analyze', file, '--bootstrap', '100']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('== dataset "quadratic": 40 scores, 4 benchmarks');
    expect(r.stdout).toMatch(/verdict: PLW matters \(p = [\d.e-]+\); best PLW ≈ /);
    // The verdict's p is the Kenward–Roger F-test's (0.38); the LRT's (0.36) is printed beside.
    expect(r.stdout).toContain('verdict: no detectable effect (p = 0.38)');
    expect(r.stdout).toContain(
      'Kenward-Roger F-test of w and w^2 (REML, decides the verdict): F = 0.9872, df = 2, 34, scaling 1, p = 0.383',
    );
    expect(r.stdout).toContain(
      'LRT vs score ~ 1 + (1|benchmark) (ML): chisq = 2.032, df = 2, p = 0.362',
    );
  });

  it("gives each group's Kenward–Roger test in --json as pbkrtest does (1e-6 relative)", () => {
    const kr = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/reference/pbkrtest/fixtures.json'), 'utf8'),
    ) as {
      scenarios: {
        name: string;
        data: { plw: number[]; benchmark: string[]; score: number[] };
        kr: { F: number; ndf: number; ddf: number; p: number };
      }[];
    };
    const names = ['unbalanced_low_ratio', 'singular'];
    const lines = ['plw,benchmark,score,dataset'];
    for (const name of names) {
      const d = kr.scenarios.find((s) => s.name === name)!.data;
      d.plw.forEach((p, i) => lines.push(`${p},${d.benchmark[i]},${d.score[i]},${name}`));
    }
    const csv = join(dir, 'kr.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const r = plw(['analyze', csv, '--json', '--bootstrap', '0']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      kr: { F: number; ndf: number; ddf: number; p: number };
      lrt: { p: number };
    }[];
    expect(out).toHaveLength(2);
    names.forEach((name, i) => {
      const ref = kr.scenarios.find((s) => s.name === name)!.kr;
      const g = out[i]!;
      expect(g.kr.ndf).toBe(2);
      for (const key of ['F', 'ddf', 'p'] as const) {
        expect(Math.abs(g.kr[key] - ref[key]) / ref[key], key).toBeLessThan(1e-6);
      }
      expect(typeof g.lrt.p).toBe('number');
    });
  });

  it('writes the analysis table and the figures', () => {
    const tex = join(dir, 'analysis.tex');
    const figs = join(dir, 'figs');
    const r = plw([
      'analyze',
      file,
      '--bootstrap',
      '0',
      '--format',
      'tex',
      '--out',
      tex,
      '--figures',
      figs,
      '--ratio',
      'quadratic=0.42',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const table = readFileSync(tex, 'utf8');
    expect(table).toContain('\\toprule');
    expect(table).toContain('null\\_effect');
    expect(table).toMatch(/quadratic & +& 40 & 4 & 0\.42 &/);
    for (const name of ['per-benchmark.svg', 'aggregate.svg']) {
      expect(readFileSync(join(figs, name), 'utf8')).toMatch(/^<svg [^>]*xmlns=/);
    }
    expect(existsSync(join(figs, 'per-benchmark.png'))).toBe(false);
  });

  it('splits models and z-scores benchmarks on request', () => {
    const d = fixtures.scenarios.find((s) => s.name === 'quadratic')!.data;
    const lines = ['plw,benchmark,score,model'];
    for (const model of ['m1', 'm2']) {
      // m2 is m1 on another scale: z-scoring makes their fits identical.
      const scale = model === 'm1' ? 1 : 10;
      d.plw.forEach((p, i) => lines.push(`${p},${d.benchmark[i]},${d.score[i] * scale},${model}`));
    }
    const csv = join(dir, 'models.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const r = plw(['analyze', csv, '--json', '--bootstrap', '0', '--split-models', '--zscore']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      group: { model: string };
      zscored: boolean;
      reml: { w2: number };
    }[];
    expect(out.map((g) => g.group.model)).toEqual(['m1', 'm2']);
    expect(out.every((g) => g.zscored)).toBe(true);
    expect(out[1].reml.w2).toBeCloseTo(out[0].reml.w2, 8);
  });

  const rsvg = spawnSync('rsvg-convert', ['--version']);
  it.skipIf(rsvg.error !== undefined && process.env.CI !== 'true')(
    'renders PNGs with --png when rsvg-convert is at hand',
    () => {
      const figs = join(dir, 'png');
      const r = plw(['analyze', file, '--bootstrap', '0', '--figures', figs, '--png']);
      expect(r.code, r.stderr).toBe(0);
      for (const name of ['per-benchmark.png', 'aggregate.png']) {
        expect(readFileSync(join(figs, name)).subarray(1, 4).toString()).toBe('PNG');
      }
    },
  );

  it('exits 2 naming file, line and column of a bad row', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'plw,benchmark,score\n0,arc,0.5\n0.1,arc,n/a\n');
    const r = plw(['analyze', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `plw: error: ${bad}: line 3: field "score": expected a number, got "n/a"`,
    );
  });

  it('fits one informative benchmark by least squares and says the verdict rests on it', () => {
    const one = join(dir, 'one.csv');
    writeFileSync(
      one,
      'plw,benchmark,score\n0,arc,0.5\n0.1,arc,0.6\n1,arc,0.4\n0.5,arc,0.5\n0.01,arc,0.55\n' +
        '0,gen,0\n0.1,gen,0\n1,gen,0\n0.5,gen,0\n0.01,gen,0\n',
    );
    const r = plw(['analyze', one, '--bootstrap', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('one informative benchmark: score ~ w + w^2 by least squares');
    expect(r.stdout).toMatch(
      /F-test of w and w\^2 \(exact, decides the verdict\): F = [\d.]+, df = 2, 2, p = /,
    );
    expect(r.stdout).toContain(
      'verdict: PLW matters (p = 0.037); best PLW ≈ 0.055 — note: rests on one benchmark (arc); left out: gen (every score is 0)',
    );
  });

  it('exits 2 when no benchmark is informative', () => {
    const none = join(dir, 'none.csv');
    writeFileSync(none, 'plw,benchmark,score\n0,gen,0\n0.1,gen,0\n1,gen,0\n0.5,gen,0\n');
    const r = plw(['analyze', none]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/every benchmark is excluded \(gen: every score is 0 — excluded\)/);
  });
});
