/** Helpers of the CLI sweep tests: temp sweeps on the demo data, polling a live workspace. */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { plw } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';
import { tempDir } from './helpers';

export const DEMO = join(REPO_ROOT, 'resources/demo/demo-long.jsonl');

/** The first n demo records (the demo data is the repository's own, generated text). */
export function smallDataset(dir: string, n = 16): string {
  const p = join(dir, 'small.jsonl');
  writeFileSync(p, readFileSync(DEMO, 'utf8').split('\n').slice(0, n).join('\n'));
  return p;
}

export function sweepFile(dir: string, sweep: Record<string, unknown>): string {
  const p = join(dir, 'sweep.json');
  writeFileSync(p, JSON.stringify(sweep));
  return p;
}

export const TRAIN = { batchSize: 1, maxLength: 320, lr: 1e-3 };

/**
 * The crash tests' sweep: one cell of tiny-byte at `plw` on 16 demo records, 6 steps with a
 * checkpoint every 2, in a fresh temp folder. Returns the workspace path and the sweep file.
 */
export function crashTestSweep(name: string, plw: number): { db: string; file: string } {
  const dir = tempDir();
  const file = sweepFile(dir, {
    name,
    plw: [plw],
    models: ['tiny-byte'],
    datasets: [smallDataset(dir)],
    train: { ...TRAIN, steps: 6, checkpointEvery: 2 },
  });
  return { db: join(dir, 'ws.db'), file };
}

/** The worker pid of cell 1's first attempt once the cell has a checkpoint. */
export function firstWorkerAfterCheckpoint(db: string): Promise<number> {
  return waitFor(db, (d) => (checkpointed(d, 1) ? workerPid(d, 1, 1) : undefined));
}

/** Polls the workspace (read-only, as a second process would) until `ready` returns a value. */
export async function waitFor<T>(
  db: string,
  ready: (d: Database.Database) => T | undefined,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(db)) {
      const d = new Database(db, { readonly: true, timeout: 5000 });
      try {
        const v = ready(d);
        if (v !== undefined) return v;
      } catch {
        // Tables not created yet.
      } finally {
        d.close();
      }
    }
    await sleep(100);
  }
  throw new Error('timed out waiting for the sweep');
}

export function workerPid(d: Database.Database, cell: number, attempt: number): number | undefined {
  const row = d
    .prepare<[number, string], { message: string }>(
      'SELECT message FROM logs WHERE cell_id = ? AND message LIKE ? ORDER BY id DESC LIMIT 1',
    )
    .get(cell, `attempt ${attempt} on child_process worker pid %`);
  return row === undefined ? undefined : Number(/pid (\d+)/.exec(row.message)![1]);
}

export function checkpointed(d: Database.Database, cell: number): number | undefined {
  const r = d
    .prepare<[number], { s: number | null }>(
      'SELECT last_checkpoint_step AS s FROM cells WHERE id = ?',
    )
    .get(cell);
  return r?.s != null && r.s >= 2 ? r.s : undefined;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface CellJson {
  metrics: { step: number }[];
  state: string;
  attempts: number;
  log: string[];
}

export function showCell(db: string, id: number): CellJson {
  const r = plw(['cell', 'show', String(id), '--db', db, '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as CellJson;
}

export function integrity(db: string): string {
  const d = new Database(db, { readonly: true });
  const r = (d.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check;
  d.close();
  return r;
}
