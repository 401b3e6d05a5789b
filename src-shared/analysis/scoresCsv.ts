import { InputError } from '../errors';
import { parseCsv } from './csvParse';

/** One score as the analysis takes it: from a CSV, the app's database or an import. */
export interface ScoreRow {
  plw: number;
  benchmark: string;
  score: number;
  dataset: string | null;
  model: string | null;
  /** The replicate's seed when a sweep runs several (`"seeds"`); replicates share the rest. */
  seed?: number | null;
  /** Items scored, chance level, standard error and 95% interval, where known. */
  n?: number | null;
  chance?: number | null;
  stderr?: number | null;
  lower?: number | null;
  upper?: number | null;
}

const REQUIRED = ['plw', 'benchmark', 'score'] as const;

/**
 * Reads score rows from CSV text with a header naming at least `plw,benchmark,score`
 * (optional `dataset`, `model`, and `metric`, which must be one per benchmark; optional
 * `seed` of a replicate and a score's `n` items, `chance` level, `stderr` and 95% interval
 * `lower`,`upper` — the columns `plw export` writes — which let the analysis flag benchmarks at
 * chance and compute its power note; other columns are ignored; names are case-insensitive).
 * @throws InputError naming the file, the line and the column of the first bad value: a
 *   missing column, a PLW outside [0, 1], a score that is not a finite number, an empty
 *   benchmark, a row with too few fields; or a file without data rows.
 * @example parseScoresCsv('plw,benchmark,score\n0.1,arc,0.5\n', 's.csv')
 *   // [{ plw: 0.1, benchmark: 'arc', score: 0.5, dataset: null, model: null }]
 */
export function parseScoresCsv(text: string, file: string): ScoreRow[] {
  const records = parseCsv(text, file);
  if (records.length === 0) throw new InputError({ file }, 'the file is empty');
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const name of REQUIRED) {
    if (col(name) < 0) {
      throw new InputError(
        { file, record: `line ${records[0].line}`, field: name },
        `the header has no "${name}" column (need plw,benchmark,score[,dataset,model])`,
      );
    }
  }
  const iDataset = col('dataset');
  const iModel = col('model');
  const iMetric = col('metric');
  // With a metric column (as `plw export` writes), one benchmark must not mix metrics: acc
  // and acc_norm of one benchmark pooled as replicates would be a silently wrong fit.
  const metricOf = new Map<string, { metric: string; line: number }>();
  const rows: ScoreRow[] = [];
  for (const rec of records.slice(1)) {
    const at = (field: string) => ({ file, record: `line ${rec.line}`, field });
    const get = (name: string): string => {
      const v = rec.fields[col(name)];
      if (v === undefined) {
        throw new InputError(at(name), `missing value: the row has ${rec.fields.length} fields`);
      }
      return v.trim();
    };
    const num = (name: string): number => {
      const raw = get(name);
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v)) {
        throw new InputError(at(name), `expected a number, got ${JSON.stringify(raw)}`);
      }
      return v;
    };
    const plw = num('plw');
    if (plw < 0 || plw > 1) throw new InputError(at('plw'), `PLW ${plw} is outside [0, 1]`);
    const score = num('score');
    const benchmark = get('benchmark');
    if (benchmark === '') throw new InputError(at('benchmark'), 'empty benchmark name');
    const optional = (index: number): string | null => {
      const v = index >= 0 ? rec.fields[index]?.trim() : undefined;
      return v === undefined || v === '' ? null : v;
    };
    const metric = optional(iMetric);
    if (metric !== null) {
      const seen = metricOf.get(benchmark);
      if (seen === undefined) metricOf.set(benchmark, { metric, line: rec.line });
      else if (seen.metric !== metric) {
        throw new InputError(
          at('metric'),
          `benchmark "${benchmark}" has scores for metric "${seen.metric}" (line ${seen.line}) and "${metric}": keep one metric per benchmark`,
        );
      }
    }
    const optionalNumber = (name: string): number | null => {
      const raw = optional(col(name));
      if (raw === null) return null;
      const v = Number(raw);
      if (!Number.isFinite(v)) {
        throw new InputError(at(name), `expected a number or nothing, got ${JSON.stringify(raw)}`);
      }
      return v;
    };
    const row: ScoreRow = {
      plw,
      benchmark,
      score,
      dataset: optional(iDataset),
      model: optional(iModel),
    };
    for (const name of ['seed', 'n', 'chance', 'stderr', 'lower', 'upper'] as const) {
      const v = optionalNumber(name);
      if (v !== null) row[name] = v;
    }
    if (row.lower != null && row.upper != null && row.lower > row.upper) {
      throw new InputError(at('lower'), `lower ${row.lower} is above upper ${row.upper}`);
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new InputError({ file }, 'no data rows after the header');
  return rows;
}
