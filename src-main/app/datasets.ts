/**
 * The Datasets view's handlers: which datasets the workspace knows (built-ins, files the user
 * added, files its sweeps train on), their statistics (computed by a worker, cached in SQLite
 * until the file changes), a record preview and the short-completion copy.
 */
import { mkdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { DatasetEntry, DatasetStatsView, PlwHandlers } from '../../src-shared/api';
import { InputError, PlwError } from '../../src-shared/errors';
import type { DataJob } from '../../src-shared/protocol';
import type { Store } from '../store/store';
import type { Builtins } from '../sweeps/load';
import { SweepRepository } from '../sweeps/repository';
import { runDataJob, type WorkerHost } from '../workers/host';

type DatasetHandlers = Pick<
  PlwHandlers,
  | 'datasets:list'
  | 'datasets:add'
  | 'datasets:remove'
  | 'datasets:stats'
  | 'datasets:preview'
  | 'datasets:make-short'
>;

export interface DatasetServiceOptions {
  store: Store;
  host: WorkerHost;
  builtins: Builtins;
  /** Relative paths typed by the user are taken from here. */
  baseDir: string;
  /** Where short copies of built-in datasets go (built-ins live in the app's resources). */
  outputDir: string;
}

/** What the worker's `stats` job returns (src-worker/data/stats.ts DatasetStats). */
interface WorkerStats extends Omit<DatasetStatsView, 'completionPromptRatio'> {
  completionPromptRatio: number;
}

function fileInfo(path: string): { size: number; mtime: number } | null {
  try {
    const s = statSync(path);
    return s.isFile() ? { size: s.size, mtime: Math.floor(s.mtimeMs) } : null;
  } catch {
    return null;
  }
}

export function datasetHandlers(options: DatasetServiceOptions): DatasetHandlers {
  const { store, host, builtins } = options;
  const db = store.db;
  const repo = new SweepRepository(store);
  const stmts = {
    registered: db.prepare<[], { source: string; name: string }>(
      'SELECT source, name FROM datasets ORDER BY created_at, id',
    ),
    register: db.prepare(
      'INSERT INTO datasets (source, name, created_at) VALUES (?, ?, ?) ON CONFLICT (source) DO NOTHING',
    ),
    unregister: db.prepare('DELETE FROM datasets WHERE source = ?'),
    cached: db.prepare<
      [string, string, number],
      { size: number; mtime: number; stats: string; computedAt: number }
    >(
      `SELECT size, mtime, stats, computed_at AS computedAt FROM dataset_stats
       WHERE source = ? AND tokenizer = ? AND short = ?`,
    ),
    cache: db.prepare(
      `INSERT OR REPLACE INTO dataset_stats (source, tokenizer, short, size, mtime, stats, computed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
  const builtinByPath = new Map(Object.entries(builtins.datasets).map(([n, p]) => [p, n]));
  const inFlight = new Map<string, Promise<unknown>>();

  /** A built-in name or a file path (relative to baseDir) → the file it means. */
  const locate = (source: string): { source: string; path: string; builtin: boolean } => {
    if (Object.hasOwn(builtins.datasets, source)) {
      return { source, path: builtins.datasets[source]!, builtin: true };
    }
    const path = isAbsolute(source) ? source : resolve(options.baseDir, source);
    const builtinName = builtinByPath.get(path);
    if (builtinName !== undefined) return { source: builtinName, path, builtin: true };
    return { source: path, path, builtin: false };
  };

  const entry = (
    source: string,
    registered: boolean,
    sweeps: number,
    name?: string,
  ): DatasetEntry => {
    const loc = locate(source);
    const info = fileInfo(loc.path);
    return {
      source: loc.source,
      name: name ?? (loc.builtin ? loc.source : basename(loc.path)),
      path: loc.path,
      builtin: loc.builtin,
      registered,
      sweeps,
      sizeBytes: info?.size ?? null,
      modifiedAt: info?.mtime ?? null,
    };
  };

  /** Runs a job once even when several views ask for the same thing at the same moment. */
  const job = (key: string, data: DataJob): Promise<unknown> => {
    const running = inFlight.get(key);
    if (running) return running;
    const p = runDataJob(host, data).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };

  const existing = (source: string): { source: string; path: string; builtin: boolean } => {
    const loc = locate(source);
    if (!fileInfo(loc.path)) {
      throw new InputError({ file: loc.path }, 'no such dataset file (moved or deleted?)');
    }
    return loc;
  };

  const tokenizerSpec = (spec: string): string =>
    spec === 'byte' || isAbsolute(spec) ? spec : resolve(options.baseDir, spec);

  return {
    'datasets:list': () => {
      const usage = new Map<string, number>();
      for (const row of repo.datasetUse()) {
        const key = locate(row.dataset).source;
        usage.set(key, (usage.get(key) ?? 0) + row.sweeps);
      }
      const out = new Map<string, DatasetEntry>();
      for (const name of Object.keys(builtins.datasets)) {
        out.set(name, entry(name, false, usage.get(name) ?? 0));
      }
      for (const row of stmts.registered.all()) {
        const e = entry(row.source, true, usage.get(row.source) ?? 0, row.name);
        if (!out.has(e.source)) out.set(e.source, e);
      }
      for (const [source, sweeps] of usage) {
        if (!out.has(source)) out.set(source, entry(source, false, sweeps));
      }
      return [...out.values()];
    },

    'datasets:add': ({ path }) => {
      const loc = locate(path);
      if (loc.builtin) return entry(loc.source, false, 0);
      const info = fileInfo(loc.path);
      if (!info) throw new InputError({ file: loc.path }, 'no such file');
      stmts.register.run(loc.path, basename(loc.path), Date.now());
      return entry(loc.path, true, 0);
    },

    'datasets:remove': ({ source }) => {
      const loc = locate(source);
      const removed = stmts.unregister.run(loc.source).changes > 0;
      return { removed };
    },

    'datasets:stats': async ({ source, tokenizer, short, refresh }) => {
      const loc = existing(source);
      const spec = tokenizerSpec(tokenizer);
      const info = fileInfo(loc.path)!;
      const flag = short ? 1 : 0;
      const hit = refresh ? undefined : stmts.cached.get(loc.source, spec, flag);
      if (hit && hit.size === info.size && hit.mtime === info.mtime) {
        return {
          source: loc.source,
          tokenizer: spec,
          short,
          cached: true,
          computedAt: hit.computedAt,
          stats: JSON.parse(hit.stats) as DatasetStatsView,
        };
      }
      const raw = (await job(`stats\0${loc.path}\0${spec}\0${flag}`, {
        kind: 'stats',
        path: loc.path,
        tokenizer: spec,
        short,
      })) as WorkerStats;
      // JSON has no Infinity (every prompt empty): null says "no ratio".
      const stats: DatasetStatsView = {
        ...raw,
        completionPromptRatio: Number.isFinite(raw.completionPromptRatio)
          ? raw.completionPromptRatio
          : null,
      };
      const computedAt = Date.now();
      stmts.cache.run(
        loc.source,
        spec,
        flag,
        info.size,
        info.mtime,
        JSON.stringify(stats),
        computedAt,
      );
      return { source: loc.source, tokenizer: spec, short, cached: false, computedAt, stats };
    },

    'datasets:preview': async ({ source, offset, limit }) => {
      const loc = existing(source);
      const page = (await job(`preview\0${loc.path}\0${offset}\0${limit}`, {
        kind: 'preview',
        path: loc.path,
        offset,
        limit,
      })) as Awaited<ReturnType<PlwHandlers['datasets:preview']>>;
      return page;
    },

    'datasets:make-short': async ({ source, out, tokenizer }) => {
      const loc = existing(source);
      const ext = extname(loc.path) || '.jsonl';
      const target =
        out !== undefined
          ? isAbsolute(out)
            ? out
            : resolve(options.baseDir, out)
          : join(
              loc.builtin ? options.outputDir : dirname(loc.path),
              `${basename(loc.path, ext)}.short${ext}`,
            );
      if (fileInfo(target)) {
        throw new PlwError('bad_input', `${target}: already exists; choose another name`);
      }
      mkdirSync(dirname(target), { recursive: true });
      const r = (await runDataJob(host, {
        kind: 'make-short',
        path: loc.path,
        out: target,
        tokenizer: tokenizerSpec(tokenizer),
      })) as { out: string; records: number; transformed: number };
      stmts.register.run(r.out, basename(r.out), Date.now());
      return {
        dataset: entry(r.out, true, 0),
        records: r.records,
        transformed: r.transformed,
      };
    },
  };
}
