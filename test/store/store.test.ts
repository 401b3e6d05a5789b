import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsSink } from '../../src-main/events/metrics-sink';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { defaultDbPath } from '../../src-main/store/paths';
import { RunLock } from '../../src-main/store/run-lock';
import { Store } from '../../src-main/store/store';
import { SweepRepository } from '../../src-main/sweeps/repository';
import { WorkerRecords } from '../../src-main/workers/worker-records';
import { parseSweep } from '../../src-shared/sweep';

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function tempStore(): Store {
  const s = new Store(join(mkdtempSync(join(tmpdir(), 'plw-store-')), 'ws.db'));
  open.push(s);
  return s;
}

function oneCell(store: Store): number {
  const repo = new SweepRepository(store);
  const def = parseSweep({ name: 's', plw: [0.5], models: ['m'], datasets: ['d'] }, 's.json');
  const { id } = repo.createOrContinue(def, null);
  return repo.cells(id)[0]!.id;
}

function step(cellId: number, n: number, loss = 1) {
  return {
    type: 'progress' as const,
    phase: 'train' as const,
    cellId,
    step: n,
    totalSteps: 100,
    loss,
    promptLoss: loss + 1,
    completionLoss: loss - 1,
    lr: 1e-3,
    gradNorm: 0.5,
    tokensPerSec: 100,
    time: Date.now(),
  };
}

describe('Store', () => {
  it('creates the tables of docs/ARCHITECTURE.md "Storage" in WAL mode and records the schema version', () => {
    const store = tempStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = store.db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all()
      .map((r) => r.name);
    expect(tables).toEqual([
      'analyses',
      'cells',
      'checkpoints', // each cell's checkpoints as its worker reported them
      'dataset_stats', // the Datasets view's cache of worker-counted statistics
      'datasets',
      'logs',
      'metrics',
      'models',
      'queue_state', // remote workers: the workspace's id and the stream entry last ingested
      'scores',
      'settings', // workspace settings: the Benchmarks page's folder
      'sweeps',
      'workers', // the workers that said hello: name, host, backend, last heard from
    ]);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('runs each migration once: reopening keeps the data', () => {
    const store = tempStore();
    const cell = oneCell(store);
    store.close();
    const again = new Store(store.path);
    open.push(again);
    expect(new SweepRepository(again).cell(cell)?.state).toBe('queued');
  });

  it('refuses a database made by a newer version of the app', () => {
    const store = tempStore();
    store.db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    store.close();
    expect(() => new Store(store.path)).toThrow(/schema version .* is newer than this app/);
  });

  it('keeps one metrics row per (cell, step)', () => {
    const store = tempStore();
    const cell = oneCell(store);
    const insert = () =>
      store.db
        .prepare('INSERT INTO metrics (cell_id, step, loss, time) VALUES (?, 1, 1, 0)')
        .run(cell);
    insert();
    expect(insert).toThrow(/UNIQUE constraint failed/);
  });

  it('puts the workspace in the per-user app-data folder of each OS', () => {
    expect(defaultDbPath({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/u')).toBe(
      '/x/data/plw-studio/workspace.db',
    );
    expect(defaultDbPath({}, 'linux', '/home/u')).toBe(
      '/home/u/.local/share/plw-studio/workspace.db',
    );
    expect(defaultDbPath({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/plw-studio/workspace.db',
    );
    expect(
      defaultDbPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'),
    ).toMatch(/AppData.Roaming.plw-studio.workspace\.db$/);
  });
});

describe('MetricsSink', () => {
  it('holds events until the flush interval, then writes them in one transaction', async () => {
    const store = tempStore();
    const cell = oneCell(store);
    const sink = new MetricsSink(store, { flushIntervalMs: 100 });
    // A second connection sees only committed data: it shows when the batch lands.
    const reader = new Database(store.path, { readonly: true });
    const count = () =>
      reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM metrics').get()!.n;
    for (let i = 1; i <= 500; i++) sink.push(step(cell, i));
    expect(count()).toBe(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(count()).toBe(500);
    const row = new SweepRepository(store).cell(cell)!;
    expect([row.step, row.totalSteps]).toEqual([500, 100]);
    reader.close();
  });

  it('stores each step once across a resume: what lies past the loaded checkpoint is replaced', () => {
    const store = tempStore();
    const cell = oneCell(store);
    const sink = new MetricsSink(store);
    const repo = new SweepRepository(store);
    for (let i = 1; i <= 7; i++) sink.push(step(cell, i, 10 + i));
    sink.push({ type: 'checkpoint', cellId: cell, step: 5, dir: '/c' });
    sink.push({
      type: 'score',
      cellId: cell,
      benchmark: 'piqa',
      metric: 'acc',
      value: 0.5,
      stderr: null,
    });
    sink.flush();
    expect(repo.cell(cell)!.lastCheckpointStep).toBe(5);
    // Attempt 2 loads checkpoint 5 and recomputes 6..8 with other losses.
    sink.push({ type: 'checkpoint', cellId: cell, step: 5, dir: '/c', loaded: true });
    sink.flush();
    expect(repo.metrics(cell).map((m) => m.step)).toEqual([1, 2, 3, 4, 5]);
    expect(repo.scores(cell)).toEqual([]);
    expect(repo.cell(cell)!.step).toBe(5);
    for (let i = 6; i <= 8; i++) sink.push(step(cell, i, 20 + i));
    sink.flush();
    const metrics = repo.metrics(cell);
    expect(metrics.map((m) => [m.step, m.loss])).toEqual([
      [1, 11],
      [2, 12],
      [3, 13],
      [4, 14],
      [5, 15],
      [6, 26],
      [7, 27],
      [8, 28],
    ]);
  });

  it('keeps event order across its multi-row inserts: a rewind and a repeated step inside one flush', () => {
    const store = tempStore();
    const cell = oneCell(store);
    const sink = new MetricsSink(store);
    const repo = new SweepRepository(store);
    // 150 rows (two full chunks of 64 and a remainder of 22), a new attempt from checkpoint 100,
    // then 40 more rows and step 130 again: all in one transaction. Rows 141-150 of the first
    // attempt must not outlive the rewind.
    for (let i = 1; i <= 150; i++) sink.push(step(cell, i, 1000 + i));
    sink.push({ type: 'checkpoint', cellId: cell, step: 100, dir: '/c', loaded: true });
    for (let i = 101; i <= 140; i++) sink.push(step(cell, i, 2000 + i));
    sink.push(step(cell, 130, 3130));
    sink.flush();
    const metrics = repo.metrics(cell);
    expect(metrics.map((m) => m.step)).toEqual(Array.from({ length: 140 }, (_, i) => i + 1));
    const loss = new Map(metrics.map((m) => [m.step, m.loss]));
    expect([loss.get(1), loss.get(100), loss.get(101), loss.get(130), loss.get(140)]).toEqual([
      1001, 1100, 2101, 3130, 2140,
    ]);
    expect(metrics[63]).toMatchObject({
      step: 64,
      promptLoss: 1065,
      completionLoss: 1063,
      lr: 1e-3,
    });
    expect(repo.cell(cell)!.step).toBe(130);
  });

  it('keeps a batch whose transaction fails and writes it once the store takes it again', async () => {
    const store = tempStore();
    const cell = oneCell(store);
    const repo = new SweepRepository(store);
    const errors: string[] = [];
    const sink = new MetricsSink(store, { flushIntervalMs: 20, onError: (m) => errors.push(m) });
    // The store refuses metrics for a while (a full disk, a locked file would do the same).
    store.db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON metrics BEGIN SELECT RAISE(ABORT, 'disk is full'); END",
    );
    for (let i = 1; i <= 3; i++) sink.push(step(cell, i));
    expect(() => sink.flush()).toThrow(/disk is full/);
    expect(repo.metrics(cell)).toEqual([]);
    // The timer's flush fails too: said once, kept, retried.
    sink.push(step(cell, 4));
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/writing 4 worker events failed: disk is full; kept, retrying/);
    expect(repo.metrics(cell)).toEqual([]);
    store.db.exec('DROP TRIGGER refuse');
    await new Promise((r) => setTimeout(r, 200));
    expect(repo.metrics(cell).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(repo.cell(cell)!.step).toBe(4);
    sink.close();
  });

  it('lists a cell’s checkpoints from its worker’s events and records each worker’s hello', () => {
    const store = tempStore();
    const cell = oneCell(store);
    const sink = new MetricsSink(store);
    const repo = new SweepRepository(store);
    const workers = new WorkerRecords(store);
    expect(workers.backend()).toBeNull();
    const hello = {
      name: 'local',
      host: 'box',
      pid: 12,
      backend: { name: 'wasm-xnnpack', reason: 'r', skipped: [], threads: 2, blas: null },
      startedAt: 1,
    };
    sink.push({ type: 'hello', cellId: cell, hello });
    // A hello off the schema (it crossed a process boundary) is not stored.
    sink.push({ type: 'hello', cellId: cell, hello: { ...hello, name: 'bad', pid: 'x' as never } });
    // Folders on the worker's host, which main never reads: the newest is the one on disk.
    sink.push({ type: 'checkpoint', cellId: cell, step: 2, dir: '/w/cell/step-000002' });
    sink.push({ type: 'checkpoint', cellId: cell, step: 4, dir: '/w/cell/step-000004' });
    sink.flush();
    expect(repo.checkpoints(cell)).toEqual([{ step: 4, path: '/w/cell/step-000004' }]);
    expect(workers.list().map((w) => [w.name, w.host, w.connected])).toEqual([
      ['local', 'box', null],
    ]);
    expect(workers.backend()).toBe('wasm-xnnpack');
    // Each batch of its events tells when the worker was last heard from.
    const heardAt = workers.list()[0]!.lastSeen;
    store.db.prepare("UPDATE workers SET last_seen = 5 WHERE name = 'local'").run();
    sink.push(step(cell, 1), 'local');
    sink.flush();
    expect(workers.list()[0]!.lastSeen).toBeGreaterThanOrEqual(heardAt);
    // A new attempt on a host without that checkpoint starts over: none is listed.
    sink.push({ type: 'checkpoint', cellId: cell, step: 0, dir: '/v/cell', loaded: true });
    sink.flush();
    expect(repo.checkpoints(cell)).toEqual([]);
    sink.push({ type: 'checkpoint', cellId: cell, step: 2, dir: '/v/cell/step-000002' });
    sink.flush();
    expect(repo.checkpoints(cell)).toEqual([{ step: 2, path: '/v/cell/step-000002' }]);
    sink.resetCell(cell);
    expect(repo.checkpoints(cell)).toEqual([]);
  });
});

describe('RunLock', () => {
  it('lets one process run a workspace at a time and takes over a dead holder’s lock', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'plw-lock-')), 'ws.db');
    // The test runner's parent process is alive: its lock holds.
    writeFileSync(`${db}.run-lock`, String(process.ppid));
    expect(RunLock.tryAcquire(db)).toEqual({ holder: process.ppid });
    // A pid no process has (killed with the machine, say): stale, taken over.
    writeFileSync(`${db}.run-lock`, '2147483646');
    const lock = RunLock.tryAcquire(db);
    expect(lock).toBeInstanceOf(RunLock);
    expect(readFileSync(`${db}.run-lock`, 'utf8')).toBe(String(process.pid));
    (lock as RunLock).release();
    expect(existsSync(`${db}.run-lock`)).toBe(false);
  });
});
