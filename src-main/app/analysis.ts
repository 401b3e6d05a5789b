/**
 * The analysis dashboard's and export dialog's handlers: scores from SQLite become the
 * analysis rows (one headline metric per cell and benchmark), fitted per dataset with the mixed
 * model of src-shared/analysis; groups that cannot be fitted yet are listed with the reason
 * instead of failing the whole view.
 */
import type {
  AnalysisBenchmarkState,
  AnalysisGroupView,
  AnalysisSummary,
  PlwHandlers,
} from '../../src-shared/api';
import {
  analyzeGroup,
  describeGroup,
  groupInformation,
  groupRows,
  type GroupAnalysis,
  type GroupInformation,
} from '../../src-shared/analysis/analyze';
import { describeNoVertex } from '../../src-shared/analysis/bestPlw';
import type { ScoreRow } from '../../src-shared/analysis/scoresCsv';
import { formatTable } from '../../src-shared/export/document';
import { aggregateFigure, perBenchmarkFigure } from '../../src-shared/export/figures';
import { analysisTable, resultsTable, type ResultRow } from '../../src-shared/export/tables';
import { PlwError } from '../../src-shared/errors';
import { shortName } from '../../src-shared/names';
import { primaryScoreRecords, type SweepRepository } from '../sweeps/repository';

interface SweepScores {
  rows: ScoreRow[];
  results: ResultRow[];
}

export function sweepScores(repo: SweepRepository, sweepId: number): SweepScores {
  if (!repo.sweep(sweepId)) throw new PlwError('bad_input', `sweep ${sweepId}: no such sweep`);
  const rows: ScoreRow[] = [];
  const results: ResultRow[] = [];
  for (const cell of repo.cells(sweepId)) {
    const dataset = shortName(cell.dataset);
    const model = shortName(cell.model);
    const scores = repo.scores(cell.id);
    for (const s of scores) {
      results.push({
        dataset,
        model,
        plw: cell.plw,
        benchmark: s.benchmark,
        metric: s.metric,
        score: s.value,
        seed: cell.seed,
        n: s.n,
        chance: s.chance,
        lower: s.lower,
        upper: s.upper,
      });
    }
    for (const [benchmark, s] of Object.entries(primaryScoreRecords(scores))) {
      rows.push({
        plw: cell.plw,
        benchmark,
        score: s.value,
        dataset,
        model,
        seed: cell.seed,
        n: s.n,
        chance: s.chance,
        stderr: s.stderr,
        lower: s.lower,
        upper: s.upper,
      });
    }
  }
  return { rows, results };
}

function benchmarkStates(info: GroupInformation): AnalysisBenchmarkState[] {
  return info.allBenchmarks.map((benchmark) => ({
    benchmark,
    excluded: info.excluded.includes(benchmark),
    flag: info.flags.find((f) => f.benchmark === benchmark)?.kind ?? null,
    chance: info.chance[benchmark] ?? null,
  }));
}

function toView(a: GroupAnalysis): AnalysisGroupView {
  const fixed = (f: GroupAnalysis['reml']) => ({
    intercept: f.intercept,
    w: f.w,
    w2: f.w2,
    se: f.se,
    sigma2Benchmark: f.sigma2Benchmark,
    sigma2Residual: f.sigma2Residual,
    logLik: f.logLik,
  });
  const interval = a.lambdaInterval;
  return {
    label: describeGroup(a.group),
    dataset: a.group.dataset,
    model: a.group.model,
    n: a.n,
    benchmarks: a.benchmarks,
    exponent: a.exponent,
    method: a.method,
    reml: fixed(a.reml),
    ml: fixed(a.ml),
    lrt: { chisq: a.lrt.chisq, df: a.lrt.df, p: a.lrt.p },
    kr: { F: a.kr.F, ndf: a.kr.ndf, ddf: a.kr.ddf, scaling: a.kr.scaling, p: a.kr.p },
    vertexW: a.vertexW,
    lambda: a.lambda,
    lambdaReason: a.noLambdaReason === null ? null : describeNoVertex(a.noLambdaReason),
    lambdaInterval:
      interval && interval.lower !== null && interval.upper !== null
        ? [interval.lower, interval.upper]
        : null,
    verdict: a.verdict,
    power: a.powerText,
    curves: a.perBenchmark.map((c) => ({
      benchmark: c.benchmark,
      points: c.points,
      fit: c.fit,
      chance: c.chance ?? null,
    })),
    aggregate: a.aggregate.map((p) => ({ plw: p.plw, w: p.w, score: p.mean })),
    benchmarkStates: benchmarkStates(a.information),
    notes: a.information.notes,
  };
}

/** Bootstrap replicates for the dashboard: enough for a stable 95% interval, fast to refit. */
const BOOTSTRAP = 500;

export function analyzeSweep(
  repo: SweepRepository,
  sweepId: number,
  options: { splitModels: boolean; zscore: boolean; benchmarks?: Record<string, boolean> },
): { analyses: GroupAnalysis[]; skipped: AnalysisSummary['skipped']; scores: SweepScores } {
  const scores = sweepScores(repo, sweepId);
  const analyses: GroupAnalysis[] = [];
  const skipped: AnalysisSummary['skipped'] = [];
  for (const group of groupRows(scores.rows, options.splitModels)) {
    try {
      analyses.push(analyzeGroup(group, { ...options, bootstrap: BOOTSTRAP, seed: 42 }));
    } catch (err) {
      if (!(err instanceof PlwError)) throw err;
      const info = groupInformation(group.rows, options.benchmarks);
      skipped.push({
        label: describeGroup(group),
        reason: err.message,
        notes: info.notes,
        benchmarkStates: benchmarkStates(info),
      });
    }
  }
  return { analyses, skipped, scores };
}

export function analysisHandlers(
  repo: SweepRepository,
): Pick<PlwHandlers, 'analysis:get' | 'export:build'> {
  return {
    'analysis:get': ({ sweepId, splitModels, zscore, benchmarks }) => {
      const { analyses, skipped } = analyzeSweep(repo, sweepId, {
        splitModels,
        zscore,
        benchmarks,
      });
      return { groups: analyses.map(toView), skipped };
    },
    'export:build': ({ sweepId, what, format }) => {
      const stem = `plw-sweep-${sweepId}`;
      if (what === 'results' || what === 'analysis') {
        if (format === 'svg')
          throw new PlwError('bad_usage', 'tables export as csv, md, tex or json');
        const { analyses, scores } = analyzeSweep(repo, sweepId, {
          splitModels: false,
          zscore: false,
        });
        const table = what === 'results' ? resultsTable(scores.results) : analysisTable(analyses);
        const mime = {
          csv: 'text/csv',
          md: 'text/markdown',
          tex: 'application/x-tex',
          json: 'application/json',
        }[format];
        return { filename: `${stem}-${what}.${format}`, mime, content: formatTable(table, format) };
      }
      if (format !== 'svg') throw new PlwError('bad_usage', 'figures export as svg');
      const { analyses, scores } = analyzeSweep(repo, sweepId, {
        splitModels: false,
        zscore: false,
      });
      const content =
        what === 'figure-benchmarks' ? perBenchmarkFigure(analyses) : aggregateFigure(scores.rows);
      return { filename: `${stem}-${what}.svg`, mime: 'image/svg+xml', content };
    },
  };
}
