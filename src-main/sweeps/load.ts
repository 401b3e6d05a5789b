import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../src-shared/errors';
import { parseSweep, type SweepDefinition } from '../../src-shared/sweep';

/** What the caller knows is built in (presets, demo data and tasks); the rest must be paths. */
export interface Builtins {
  models: readonly string[];
  /** Built-in dataset name → its file (the demo datasets). */
  datasets: Readonly<Record<string, string>>;
  /** Tasks that need no data file (the demo tasks). */
  tasks: readonly string[];
}

export const NO_BUILTINS: Builtins = { models: [], datasets: {}, tasks: [] };

export interface LoadedSweep {
  file: string;
  /** Validated, defaults applied, every path made absolute (relative to the sweep file). */
  definition: SweepDefinition;
  /**
   * `"queue": "redis://…"`: run the cells on queue workers. Kept out of the definition, so the
   * same sweep is continued whether it runs locally or on a queue.
   */
  queue?: string;
}

/**
 * Reads and validates a sweep file: JSON syntax, the schema of src-shared/sweep.ts, then that
 * every model directory and dataset or benchmark file it names exists. Relative paths are taken
 * from the sweep file's folder, so a sweep and its data can move together.
 */
export function loadSweepFile(path: string, builtins: Builtins = NO_BUILTINS): LoadedSweep {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file: path }, `cannot read it (${(err as NodeJS.ErrnoException).code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError({ file: path }, `not valid JSON: ${(err as Error).message}`);
  }
  const definition = resolveSweep(raw, path, dirname(file), builtins);
  const queue = (raw as { queue?: unknown }).queue;
  if (queue !== undefined && (typeof queue !== 'string' || queue === '')) {
    throw new InputError({ file: path, field: 'queue' }, 'expected a redis:// or rediss:// URL');
  }
  return { file, definition, ...(queue === undefined ? {} : { queue }) };
}

/** Validates an already-parsed definition (the API's create call) against `baseDir`. */
export function resolveSweep(
  raw: unknown,
  file: string,
  baseDir: string,
  builtins: Builtins,
): SweepDefinition {
  const def = parseSweep(raw, file, { builtinTasks: builtins.tasks });
  const abs = (p: string): string => (isAbsolute(p) ? p : join(baseDir, p));
  const models = def.models.map((m, i) => {
    if (builtins.models.includes(m)) return m;
    const dir = abs(m);
    if (!isDir(dir)) {
      throw new InputError(
        { file, field: `models[${i}]` },
        `"${m}" is not a built-in model${list(builtins.models)} and no directory ${dir} exists`,
      );
    }
    if (!existsSync(join(dir, 'config.json'))) {
      throw new InputError({ file, field: `models[${i}]` }, `${dir} has no config.json`);
    }
    return dir;
  });
  const datasets = def.datasets.map((d, i) => {
    const builtin = Object.hasOwn(builtins.datasets, d) ? builtins.datasets[d] : undefined;
    if (builtin !== undefined) return builtin;
    const f = abs(d);
    if (!isFile(f)) {
      throw new InputError(
        { file, field: `datasets[${i}]` },
        `"${d}" is not a built-in dataset${list(Object.keys(builtins.datasets))} and no file ${f} exists`,
      );
    }
    return f;
  });
  const benchmarks = def.benchmarks.map((b, i) => {
    if (b.data === undefined) return b;
    const f = abs(b.data);
    if (!existsSync(f)) {
      throw new InputError({ file, field: `benchmarks[${i}].data` }, `no such file: ${f}`);
    }
    return { ...b, data: f };
  });
  // Per-model engines follow their model to its absolute path.
  const modelEngines =
    def.modelEngines === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(def.modelEngines).map(([m, e]) => [models[def.models.indexOf(m)]!, e]),
        );
  return {
    ...def,
    models,
    datasets,
    benchmarks,
    ...(modelEngines === undefined ? {} : { modelEngines }),
  };
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '' : ` (${names.join(', ')})`;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}
