import { InputError } from '../../src-shared/errors';

/** One score read from an lm-evaluation-harness `results.json`, in PLW Studio's names. */
export interface ImportedScore {
  model: string;
  benchmark: string;
  metric: 'acc' | 'acc_norm' | 'bleu';
  value: number;
  stderr: number | null;
}

/** lm-eval task names → ours (older harness versions named TruthfulQA's MC task differently). */
const BENCHMARKS: Readonly<Record<string, string>> = {
  arc_challenge: 'arc_challenge',
  piqa: 'piqa',
  truthfulqa_mc1: 'truthfulqa_mc1',
  truthfulqa_mc: 'truthfulqa_mc1',
  winogrande: 'winogrande',
  'wmt14-en-fr': 'wmt14-en-fr',
  'wmt14-fr-en': 'wmt14-fr-en',
  'wmt16-en-de': 'wmt16-en-de',
  'wmt16-de-en': 'wmt16-de-en',
};

/** lm-eval metric names → ours; `mc1` is TruthfulQA MC1 accuracy in harness versions < 0.4. */
const METRICS: Readonly<Record<string, ImportedScore['metric']>> = {
  acc: 'acc',
  acc_norm: 'acc_norm',
  bleu: 'bleu',
  mc1: 'acc',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The model a results file is about: `pretrained=` of `config.model_args` (a string
 * `k=v,k=v` in every version, a dict in some newer ones), else `model_name`, else the file.
 */
export function modelNameOf(json: Record<string, unknown>, file: string): string {
  const config = isObject(json.config) ? json.config : {};
  const args = config.model_args;
  if (typeof args === 'string') {
    for (const part of args.split(',')) {
      const [k, ...v] = part.split('=');
      if (k?.trim() === 'pretrained' && v.length > 0) return v.join('=').trim();
    }
  } else if (isObject(args) && typeof args.pretrained === 'string') {
    return args.pretrained;
  }
  if (typeof json.model_name === 'string' && json.model_name !== '') return json.model_name;
  if (typeof config.model === 'string' && typeof args === 'string' && args !== '') {
    return `${config.model}:${args}`;
  }
  return file;
}

/**
 * Splits an lm-eval metric key: `acc,none` (v0.4: metric, filter) or `acc` (older). Returns
 * null for standard errors and for filters other than `none` (the unfiltered score).
 */
function parseMetricKey(key: string): { metric: string; stderrKey: string } | null {
  const [name, filter] = key.split(',');
  if (name === undefined || name.endsWith('_stderr') || name === 'alias') return null;
  if (filter !== undefined && filter !== 'none') return null;
  return {
    metric: name,
    stderrKey: filter === undefined ? `${name}_stderr` : `${name}_stderr,${filter}`,
  };
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The scores of one lm-evaluation-harness results document (its `results` map), keeping the
 * benchmarks and metrics PLW Studio analyses; `skipped` lists the tasks that are not ours.
 * @throws InputError when the document has no `results` object or a value is not a number.
 */
export function parseLmEvalResults(
  json: unknown,
  file: string,
): { rows: ImportedScore[]; skipped: string[] } {
  if (!isObject(json))
    throw new InputError({ file }, 'expected a JSON object (lm-eval results.json)');
  const results = json.results;
  if (!isObject(results)) {
    throw new InputError(
      { file, field: 'results' },
      'missing: not an lm-evaluation-harness results file',
    );
  }
  const model = modelNameOf(json, file);
  const rows: ImportedScore[] = [];
  const skipped: string[] = [];
  for (const [task, entry] of Object.entries(results)) {
    const benchmark = BENCHMARKS[task];
    if (benchmark === undefined || !isObject(entry)) {
      skipped.push(task);
      continue;
    }
    for (const [key, raw] of Object.entries(entry)) {
      const parsed = parseMetricKey(key);
      const metric = parsed ? METRICS[parsed.metric] : undefined;
      if (!parsed || metric === undefined) continue;
      if (task === 'truthfulqa_mc' && parsed.metric !== 'mc1') continue;
      const value = numberOrNull(raw);
      if (value === null) {
        throw new InputError(
          { file, record: `results.${task}`, field: key },
          `expected a number, got ${JSON.stringify(raw)}`,
        );
      }
      rows.push({ model, benchmark, metric, value, stderr: numberOrNull(entry[parsed.stderrKey]) });
    }
  }
  return { rows, skipped };
}
