/**
 * The Benchmarks page's handlers: the standard tasks of the catalogue, looked for by their
 * published file names in a benchmarks folder the user sets once (kept in the workspace's
 * settings table), with where each file was found, its document count, and what to put where
 * when a file is missing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type {
  BenchmarkFileStatus,
  BenchmarkLibrary,
  BenchmarkStatus,
  PlwHandlers,
} from '../../src-shared/api';
import { BENCHMARKS, type BenchmarkEntry } from '../../src-shared/catalogue';
import { InputError } from '../../src-shared/errors';
import { Settings } from '../store/settings';
import type { Store } from '../store/store';

const FOLDER_KEY = 'benchmarks.folder';
/** How deep under the folder files are looked for (e.g. truthfulqa/data/mc_task.json is 2). */
const MAX_DEPTH = 3;
/** Entries visited at most, so a folder set to a home directory stays quick. */
const MAX_ENTRIES = 20_000;

/**
 * Every file under `root` by name, nearest first (breadth-first), down to MAX_DEPTH levels.
 * A name found in several places keeps the shallowest path, ties broken by path order.
 */
export function indexFolder(root: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  let level = [root];
  let visited = 0;
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level.sort()) {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (++visited > MAX_ENTRIES) return byName;
        const p = join(dir, e.name);
        if (e.isDirectory() && !e.name.startsWith('.')) next.push(p);
        else if (e.isFile()) byName.set(e.name, [...(byName.get(e.name) ?? []), p]);
      }
    }
    level = next;
  }
  return byName;
}

/** Documents in a benchmark file: a JSON array's length, else its non-empty lines. */
export function countDocuments(file: string): number | null {
  try {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.json')) {
      const parsed = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
      return Array.isArray(parsed) ? parsed.length : null;
    }
    return text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '').length;
  } catch {
    return null;
  }
}

/** The file of that name for this task: prefer the task's own sub-folder (`arc/…`). */
function pick(index: Map<string, string[]>, name: string, entry: BenchmarkEntry): string | null {
  const paths = index.get(name) ?? [];
  return paths.find((p) => basename(dirname(p)) === entry.folder) ?? paths[0] ?? null;
}

export function benchmarkStatus(
  entry: BenchmarkEntry,
  folder: string | null,
  index: Map<string, string[]>,
): BenchmarkStatus {
  const files: BenchmarkFileStatus[] = entry.files.eval.map((name) => ({
    name,
    role: 'eval',
    path: folder === null ? null : pick(index, name, entry),
  }));
  const fewshot = entry.files.fewshot
    .map((name) => ({ name, path: folder === null ? null : pick(index, name, entry) }))
    .filter((f, i) => f.path !== null || i === 0);
  const usable = fewshot.find((f) => f.path !== null) ?? fewshot[0];
  if (usable !== undefined) files.push({ ...usable, role: 'fewshot' });
  const where = folder === null ? 'the benchmarks folder' : join(folder, entry.folder);
  const lacking = files.filter((f) => f.path === null);
  const evalLacking = lacking.filter((f) => f.role === 'eval');
  let missing: string | null = null;
  if (folder === null) {
    missing = `set a benchmarks folder, then put ${entry.files.eval.join(' and ')} in its ${entry.folder}/ folder`;
  } else if (evalLacking.length > 0 || (lacking.length > 0 && entry.defaultShots > 0)) {
    const names = lacking.map((f) => f.name).join(' and ');
    missing =
      evalLacking.length > 0
        ? `put ${names} in ${where}`
        : `few-shot examples need ${names} in ${where} (or use 0 shots)`;
  }
  const first = files[0]?.path ?? null;
  const ready = evalLacking.length === 0 && first !== null;
  return {
    name: entry.name,
    title: entry.title,
    kind: entry.kind,
    metrics: [...entry.metrics],
    defaultShots: entry.defaultShots,
    documents: entry.documents,
    found: ready ? countDocuments(first) : null,
    files,
    // Translation tasks read the folder (source and reference by language); the others their
    // evaluation file, whose labels and training files sit beside it.
    data: ready ? (entry.kind === 'generation' ? dirname(first) : first) : null,
    missing,
    source: entry.source,
  };
}

export function benchmarkLibrary(folder: string | null): BenchmarkLibrary {
  const index = folder === null ? new Map<string, string[]>() : indexFolder(folder);
  return { folder, tasks: BENCHMARKS.map((e) => benchmarkStatus(e, folder, index)) };
}

type BenchmarkHandlers = Pick<PlwHandlers, 'benchmarks:list' | 'benchmarks:set-folder'>;

export function benchmarkHandlers(options: { store: Store; baseDir: string }): BenchmarkHandlers {
  const settings = new Settings(options.store);
  const folder = (): string | null => settings.get<string>(FOLDER_KEY);
  return {
    'benchmarks:list': () => benchmarkLibrary(folder()),
    'benchmarks:set-folder': ({ folder: raw }) => {
      let value: string | null = null;
      if (raw !== null) {
        value = isAbsolute(raw) ? raw : resolve(options.baseDir, raw);
        let isDir = false;
        try {
          isDir = statSync(value).isDirectory();
        } catch {
          isDir = false;
        }
        if (!isDir) throw new InputError({ file: value }, 'no such folder');
      }
      settings.set(FOLDER_KEY, value);
      return benchmarkLibrary(value);
    },
  };
}
