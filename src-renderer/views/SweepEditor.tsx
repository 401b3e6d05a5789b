import { useEffect, useMemo, useState } from 'react';
import type { ValidationIssue } from '../../src-shared/api';
import {
  DEFAULT_PLW_GRID,
  SWEEP_FEWSHOT_SAMPLERS,
  type SweepFewshotSampler,
} from '../../src-shared/sweep';
import { fill, PLACEHOLDERS, type PlaceholderValues } from '../../src-shared/engine';
import { DatasetStatsLine, savedTokenizer } from '../components/DatasetStats';
import { useClient } from '../context';
import { useBenchmarkLibrary } from './BenchmarksView';
import { href, navigate } from '../route';

interface Draft {
  name: string;
  plw: string;
  models: string;
  datasets: string;
  benchmarks: string;
  steps: string;
  lr: string;
  batchSize: string;
  maxLength: string;
  seed: string;
  /** Replicate seeds, comma-separated; empty: one run per cell with `seed`. */
  seeds: string;
  /** External trainer / evaluator argv, one argument per line; empty: the built-in engine. */
  trainer: string;
  evaluator: string;
}

const INITIAL: Draft = {
  name: '',
  plw: DEFAULT_PLW_GRID.join(', '),
  models: 'tiny-byte',
  datasets: 'demo-long\ndemo-short',
  benchmarks: 'demo_mc limit=100\ndemo_gen limit=50',
  steps: '100',
  lr: '2e-5',
  batchSize: '128',
  maxLength: '512',
  seed: '42',
  seeds: '',
  trainer: '',
  evaluator: '',
};

const lines = (s: string): string[] =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * One benchmark per line: a task name, then optional `data=PATH shots=K limit=N
 * fewshotSampler=lm-eval|leaderboard` (e.g. `piqa data=/data/piqa/valid.jsonl limit=200`, or
 * `demo-arith limit=50`).
 */
export function parseBenchmark(line: string): unknown {
  const [task, ...opts] = line.split(/\s+/);
  if (opts.length === 0) return task;
  const b: Record<string, unknown> = { task };
  for (const opt of opts) {
    const eq = opt.indexOf('=');
    const key = eq > 0 ? opt.slice(0, eq) : opt;
    const value = eq > 0 ? opt.slice(eq + 1) : '';
    b[key] = key === 'shots' || key === 'limit' ? Number(value) : value;
  }
  return b;
}

/** A standard benchmark ticked in the editor, with its shots, limit and few-shot sampler. */
export interface BenchmarkPick {
  on: boolean;
  shots: string;
  limit: string;
  /** '' = the default (lm-eval's draws). */
  sampler?: '' | SweepFewshotSampler;
}

/**
 * The ticked benchmarks as sweep entries: `{task, data, shots, limit, fewshotSampler}`
 * (blank = default).
 */
export function pickedBenchmarks(
  picks: Readonly<Record<string, BenchmarkPick>>,
  data: Readonly<Record<string, string | null>>,
): unknown[] {
  return Object.entries(picks)
    .filter(([task, p]) => p.on && data[task])
    .map(([task, p]) => ({
      task,
      data: data[task],
      ...(p.shots.trim() === '' ? {} : { shots: Number(p.shots) }),
      ...(p.limit.trim() === '' ? {} : { limit: Number(p.limit) }),
      ...(p.sampler ? { fewshotSampler: p.sampler } : {}),
    }));
}

function toDefinition(d: Draft, standard: unknown[] = []): unknown {
  return {
    name: d.name.trim(),
    plw: d.plw
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number),
    models: lines(d.models),
    datasets: lines(d.datasets),
    benchmarks: [...standard, ...lines(d.benchmarks).map(parseBenchmark)],
    train: {
      steps: Number(d.steps),
      lr: Number(d.lr),
      batchSize: Number(d.batchSize),
      maxLength: Number(d.maxLength),
    },
    seed: Number(d.seed),
    ...(d.seeds.trim() === ''
      ? {}
      : {
          seeds: d.seeds
            .split(/[\s,]+/)
            .filter(Boolean)
            .map(Number),
        }),
    ...(lines(d.trainer).length === 0 ? {} : { trainer: { command: lines(d.trainer) } }),
    ...(lines(d.evaluator).length === 0 ? {} : { evaluator: { command: lines(d.evaluator) } }),
  };
}

/** The argv of the sweep's first cell, as the worker will expand it (src-shared/engine.ts). */
function cellArgv(command: string, d: Draft, tasks: string): string {
  const argv = lines(command);
  if (argv.length === 0) return '';
  const values: PlaceholderValues = {
    model: lines(d.models)[0] ?? '',
    dataset: lines(d.datasets)[0] ?? '',
    plw: d.plw.split(/[\s,]+/).filter(Boolean)[0] ?? '',
    seed: d.seed,
    out: '<cell folder>/final',
    resume: '',
    steps: d.steps,
    epochs: '',
    lr: d.lr,
    batch_size: d.batchSize,
    max_length: d.maxLength,
    cell: '<cell id>',
    sweep: '<sweep id>',
    tasks,
    eval_out: '<cell folder>/eval',
  };
  return JSON.stringify(argv.map((a) => fill(a, values)));
}

/** Lays out a sweep; validates against the same schema the CLI uses, inline, as you type. */
export function SweepEditor() {
  const { api } = useClient();
  const [draft, setDraft] = useState<Draft>(INITIAL);
  const [issues, setIssues] = useState<ValidationIssue[]>([]);
  const [cells, setCells] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { library } = useBenchmarkLibrary();
  const [picks, setPicks] = useState<Record<string, BenchmarkPick>>({});
  const definition = useMemo(() => {
    const data = Object.fromEntries((library?.tasks ?? []).map((t) => [t.name, t.data]));
    return toDefinition(draft, pickedBenchmarks(picks, data));
  }, [draft, picks, library]);
  const pick = (task: string, change: Partial<BenchmarkPick>): void =>
    setPicks((p) => ({
      ...p,
      [task]: { ...(p[task] ?? { on: false, shots: '', limit: '' }), ...change },
    }));
  // Dataset figures follow the typing with a pause, not on every keystroke.
  const [datasetList, setDatasetList] = useState<string[]>(() => lines(INITIAL.datasets));
  useEffect(() => {
    const t = setTimeout(() => setDatasetList(lines(draft.datasets)), 600);
    return () => clearTimeout(t);
  }, [draft.datasets]);
  const firstModel = lines(draft.models)[0] ?? '';
  // A model folder brings its own tokenizer; presets count with the tokenizer of the
  // Datasets view (bytes unless chosen there).
  const tokenizer = /[\\/]/.test(firstModel) ? firstModel : savedTokenizer();

  useEffect(() => {
    const t = setTimeout(() => {
      api['sweeps:validate']({ definition }).then(
        (r) => {
          setIssues(r.issues);
          setCells(r.cells);
        },
        (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
      );
    }, 250);
    return () => clearTimeout(t);
  }, [api, definition]);

  const set =
    (key: keyof Draft) =>
    (e: { target: { value: string } }): void =>
      setDraft((d) => ({ ...d, [key]: e.target.value }));

  const issueFor = (prefix: string): string | undefined =>
    issues.find(
      (i) =>
        i.path === prefix || i.path.startsWith(`${prefix}[`) || i.path.startsWith(`${prefix}.`),
    )?.message;

  const create = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const { id } = await api['sweeps:create']({ definition, start: true });
      navigate({ view: 'sweep', id });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const field = (label: string, key: keyof Draft, path: string, hint?: string, rows = 0) => {
    const problem = issueFor(path);
    return (
      <label className={`field ${problem ? 'invalid' : ''}`}>
        <span className="field-label">{label}</span>
        {rows > 0 ? (
          <textarea rows={rows} value={draft[key]} onChange={set(key)} name={key} />
        ) : (
          <input value={draft[key]} onChange={set(key)} name={key} />
        )}
        {problem ? (
          <span className="field-error">{problem}</span>
        ) : (
          hint && <span className="hint">{hint}</span>
        )}
      </label>
    );
  };

  return (
    <section className="editor">
      <h1>New sweep</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (issues.length === 0) void create();
        }}
      >
        {field('Name', 'name', 'name')}
        <div className="field-row">
          {field('PLW values', 'plw', 'plw', 'comma-separated, each in [0, 1]')}
          <button
            type="button"
            onClick={() => setDraft((d) => ({ ...d, plw: DEFAULT_PLW_GRID.join(', ') }))}
          >
            Paper default
          </button>
        </div>
        {field(
          'Models',
          'models',
          'models',
          'one per line: a preset (plw models) or a Hugging Face folder',
          2,
        )}
        {field(
          'Datasets',
          'datasets',
          'datasets',
          'one per line: demo-long, demo-short, or a JSON/JSONL file',
          3,
        )}
        {datasetList.length > 0 && (
          <ul className="dataset-stats" aria-label="dataset statistics">
            {datasetList.map((d) => (
              <li key={d}>
                <code>{d}</code> <DatasetStatsLine source={d} tokenizer={tokenizer} />
              </li>
            ))}
          </ul>
        )}
        <fieldset className="bench-picks" aria-label="standard benchmarks">
          <legend>Standard benchmarks</legend>
          {library === null ? (
            <p className="hint">loading…</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Task</th>
                  <th className="num">Shots</th>
                  <th className="num">Limit</th>
                  <th>Few-shot sampler</th>
                  <th>Files</th>
                </tr>
              </thead>
              <tbody>
                {library.tasks.map((t) => {
                  const p = picks[t.name] ?? { on: false, shots: '', limit: '' };
                  return (
                    <tr key={t.name} data-task={t.name}>
                      <td>
                        <label>
                          <input
                            type="checkbox"
                            name={`bench-${t.name}`}
                            checked={p.on}
                            disabled={t.data === null}
                            onChange={(e) => pick(t.name, { on: e.target.checked })}
                          />{' '}
                          <code>{t.name}</code>
                        </label>
                      </td>
                      <td className="num">
                        <input
                          className="narrow"
                          name={`shots-${t.name}`}
                          placeholder={String(t.defaultShots)}
                          value={p.shots}
                          disabled={t.data === null}
                          onChange={(e) => pick(t.name, { shots: e.target.value })}
                        />
                      </td>
                      <td className="num">
                        <input
                          className="narrow"
                          name={`limit-${t.name}`}
                          placeholder="all"
                          value={p.limit}
                          disabled={t.data === null}
                          onChange={(e) => pick(t.name, { limit: e.target.value })}
                        />
                      </td>
                      <td>
                        <select
                          name={`sampler-${t.name}`}
                          aria-label={`few-shot sampler of ${t.name}`}
                          value={p.sampler ?? ''}
                          disabled={t.data === null}
                          onChange={(e) =>
                            pick(t.name, { sampler: e.target.value as BenchmarkPick['sampler'] })
                          }
                        >
                          <option value="">lm-eval (default)</option>
                          {SWEEP_FEWSHOT_SAMPLERS.filter((s) => s !== 'lm-eval').map((s) => (
                            <option key={s} value={s}>
                              {s}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td className="hint">{t.data ?? t.missing}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <p className="hint">
            Files are found in the benchmarks folder of the{' '}
            <a href={href({ view: 'benchmarks' })}>Benchmarks</a> page.
          </p>
        </fieldset>
        {field(
          'Other benchmarks',
          'benchmarks',
          'benchmarks',
          'one per line: a task, then data=PATH shots=K limit=N fewshotSampler=lm-eval|leaderboard as needed (e.g. piqa data=/data/piqa/valid.jsonl limit=200)',
          3,
        )}
        <fieldset>
          <legend>Training</legend>
          <div className="grid-4">
            {field('Steps', 'steps', 'train.steps')}
            {field('Learning rate', 'lr', 'train.lr')}
            {field('Batch size', 'batchSize', 'train.batchSize')}
            {field('Max length', 'maxLength', 'train.maxLength')}
            {field('Seed', 'seed', 'seed')}
          </div>
          {field(
            'Replicate seeds',
            'seeds',
            'seeds',
            'optional, e.g. 1, 2, 3: every cell runs once per seed, so the analysis sees training noise (the grid shows mean ± sd)',
          )}
        </fieldset>
        <fieldset aria-label="trainer">
          <legend>Trainer</legend>
          <p className="hint">
            Optional: train and score each cell with your own programs (README &quot;Your own
            trainer and lm-evaluation-harness&quot;), one argument per line, never through a shell.
            Placeholders: {PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}. Empty: the built-in engine.
          </p>
          {field('Trainer command', 'trainer', 'trainer', undefined, 4)}
          {field('Evaluator command', 'evaluator', 'evaluator', undefined, 3)}
          {(['trainer', 'evaluator'] as const).map((role) => {
            const argv = cellArgv(
              draft[role],
              draft,
              (definition as { benchmarks: { task?: string }[] }).benchmarks
                .map((b) => (typeof b === 'string' ? b : (b.task ?? '')).split(' ')[0])
                .join(','),
            );
            return argv === '' ? null : (
              <p key={role} className="hint" data-testid={`${role}-preview`}>
                First cell&apos;s {role}: <code>{argv}</code>
              </p>
            );
          })}
        </fieldset>
        {issues.length > 0 && (
          <ul className="issues" aria-label="problems">
            {issues.map((i) => (
              <li key={`${i.path}:${i.message}`}>
                <code>{i.path || '(sweep)'}</code> {i.message}
              </li>
            ))}
          </ul>
        )}
        {error && <p className="error">{error}</p>}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || issues.length > 0}>
            {busy ? 'Creating…' : `Create and run ${cells} cell${cells === 1 ? '' : 's'}`}
          </button>
        </div>
      </form>
    </section>
  );
}
