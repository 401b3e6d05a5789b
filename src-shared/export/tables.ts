import { describeNoVertex } from '../analysis/bestPlw';
import type { GroupAnalysis } from '../analysis/analyze';
import type { Table } from './table';

/** One score of one cell: a row of the results table. */
export interface ResultRow {
  dataset: string | null;
  model: string | null;
  plw: number;
  benchmark: string;
  metric: string | null;
  score: number;
  /** Replicate seed (null: the sweep's one seed). */
  seed?: number | null;
  /** Items scored, chance level and 95% interval (Wilson; bootstrap for BLEU), where known. */
  n?: number | null;
  chance?: number | null;
  lower?: number | null;
  upper?: number | null;
}

/**
 * The results table: one row per cell and benchmark, sorted by dataset, model, PLW and
 * benchmark so diffs between exports stay small.
 */
export function resultsTable(rows: ResultRow[]): Table {
  const key = (s: string | null) => s ?? '';
  const sorted = [...rows].sort(
    (a, b) =>
      key(a.dataset).localeCompare(key(b.dataset)) ||
      key(a.model).localeCompare(key(b.model)) ||
      a.plw - b.plw ||
      a.benchmark.localeCompare(b.benchmark) ||
      key(a.metric).localeCompare(key(b.metric)) ||
      (a.seed ?? 0) - (b.seed ?? 0),
  );
  const seeded = rows.some((r) => r.seed != null);
  return {
    columns: [
      { key: 'dataset', label: 'Dataset' },
      { key: 'model', label: 'Model' },
      { key: 'plw', label: 'PLW', digits: 4 },
      { key: 'benchmark', label: 'Benchmark' },
      { key: 'metric', label: 'Metric' },
      ...(seeded ? [{ key: 'seed', label: 'Seed' }] : []),
      { key: 'score', label: 'Score', digits: 4 },
      { key: 'lower', label: '95% low', latex: 'low', digits: 4 },
      { key: 'upper', label: '95% high', latex: 'high', digits: 4 },
      { key: 'n', label: 'Items', latex: '$n$' },
      { key: 'chance', label: 'Chance', digits: 4 },
    ],
    rows: sorted.map((r) => ({
      ...r,
      seed: r.seed ?? null,
      lower: r.lower ?? null,
      upper: r.upper ?? null,
      n: r.n ?? null,
      chance: r.chance ?? null,
    })),
  };
}

/**
 * The analysis (regression) table: per group, the REML coefficients of w and w^2 with standard
 * errors, the Kenward–Roger F-test (the verdict's; exact F for one benchmark) and the
 * likelihood-ratio test, lambda with its bootstrap interval, the dataset's
 * completion/prompt ratio when known (`ratios`, by dataset name), the smallest effect the
 * sweep could detect (80% power, α = 0.05; see power.ts) and the benchmarks flagged as
 * carrying no information.
 */
export function analysisTable(
  analyses: GroupAnalysis[],
  ratios: ReadonlyMap<string, number> = new Map(),
): Table {
  return {
    columns: [
      { key: 'dataset', label: 'Dataset' },
      { key: 'model', label: 'Model' },
      { key: 'n', label: 'n' },
      { key: 'benchmarks', label: 'Benchmarks' },
      { key: 'completionPromptRatio', label: 'C/P ratio', latex: 'C/P', digits: 3 },
      { key: 'w', label: 'b_w', latex: '$b_w$', digits: 4 },
      { key: 'seW', label: 'SE b_w', latex: 'SE', digits: 3 },
      { key: 'w2', label: 'b_w2', latex: '$b_{w^2}$', digits: 4 },
      { key: 'seW2', label: 'SE b_w2', latex: 'SE', digits: 3 },
      { key: 'krF', label: 'KR F', latex: '$F_{\\mathrm{KR}}$', digits: 4 },
      { key: 'krNdf', label: 'KR ndf', latex: 'ndf' },
      { key: 'krDdf', label: 'KR ddf', latex: 'ddf', digits: 3 },
      { key: 'krP', label: 'KR p', latex: '$p_{\\mathrm{KR}}$', digits: 2 },
      { key: 'chisq', label: 'Chi2 (2 df)', latex: '$\\chi^2_2$', digits: 4 },
      { key: 'p', label: 'LRT p', latex: '$p_{\\mathrm{LRT}}$', digits: 2 },
      { key: 'method', label: 'Fit' },
      { key: 'lambda', label: 'Best PLW', latex: '$\\lambda$', digits: 3 },
      { key: 'lambdaLower', label: '95% low', latex: 'low', digits: 3 },
      { key: 'lambdaUpper', label: '95% high', latex: 'high', digits: 3 },
      { key: 'mde', label: 'Detectable effect', latex: 'MDE', digits: 3 },
      { key: 'flags', label: 'Flags' },
      { key: 'note', label: 'Note' },
    ],
    rows: analyses.map((a) => ({
      dataset: a.group.dataset,
      model: a.group.model ?? (a.models.length > 1 ? `${a.models.length} models pooled` : null),
      n: a.n,
      benchmarks: a.benchmarks,
      completionPromptRatio:
        a.group.dataset !== null ? (ratios.get(a.group.dataset) ?? null) : null,
      w: a.reml.w,
      seW: a.reml.se.w,
      w2: a.reml.w2,
      seW2: a.reml.se.w2,
      krF: a.kr.F,
      krNdf: a.kr.ndf,
      krDdf: a.kr.ddf,
      krP: a.kr.p,
      chisq: a.lrt.chisq,
      p: a.lrt.p,
      method: a.method === 'ols' ? 'least squares (one benchmark)' : 'mixed model',
      lambda: a.lambda,
      lambdaLower: a.lambdaInterval?.lower ?? null,
      lambdaUpper: a.lambdaInterval?.upper ?? null,
      mde: a.power?.mde ?? null,
      flags:
        a.information.flags
          .map(
            (f) =>
              `${f.benchmark}: ${f.kind.replace('_', ' ')}${a.information.excluded.includes(f.benchmark) ? ' (excluded)' : ''}`,
          )
          .join('; ') || null,
      note:
        [
          ...(a.noLambdaReason !== null ? [describeNoVertex(a.noLambdaReason)] : []),
          ...a.information.notes,
        ].join('; ') || null,
    })),
  };
}
