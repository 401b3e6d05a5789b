/** Helpers of the queue tests: real `plw worker` and `plw sweep run --queue` processes. */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../helpers/paths';
import { smallDataset, sweepFile, TRAIN } from '../sweeps/cli-helpers';

const BIN = join(REPO_ROOT, 'bin/plw.mjs');

export function queueTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'plw-queue-'));
}

/** A running `plw …` process whose stderr is kept for assertions. */
export class PlwProcess {
  private err = '';
  private out = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly args: string[],
    readonly child: ChildProcess,
  ) {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  static start(args: string[], cwd: string = REPO_ROOT): PlwProcess {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: 'pipe' });
    return new PlwProcess(args, child);
  }

  get stderr(): string {
    return this.err;
  }

  get stdout(): string {
    return this.out;
  }

  /** Resolves once stderr matches `re` (or rejects after `ms`, showing what it printed). */
  async waitFor(re: RegExp, ms = 90_000): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.err)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${re} in:\n${this.err}`);
      if (this.child.exitCode !== null) {
        throw new Error(
          `plw ${this.args[0]} exited (${this.child.exitCode}) before ${re}:\n${this.err}`,
        );
      }
      await sleep(100);
    }
  }

  /** Ctrl-C, then the exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    return this.exited;
  }

  /** SIGKILL (no chance to clean up), then waits for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** `plw worker --queue URL --name NAME` in `cwd` (which it may read), checkpoints in `artifacts`. */
export async function startWorker(
  url: string,
  name: string,
  cwd: string,
  artifacts: string,
  extra: string[] = [],
): Promise<PlwProcess> {
  const w = PlwProcess.start(
    ['worker', '--queue', url, '--name', name, '--artifacts', artifacts, ...extra],
    cwd,
  );
  await w.waitFor(/waiting for cells/);
  return w;
}

/** A sweep of tiny-byte cells on 16 demo records, 6 steps with a checkpoint every 2. */
export function queueSweep(
  dir: string,
  name: string,
  plw: number[],
  extra: Record<string, unknown> = {},
): string {
  return sweepFile(dir, {
    name,
    plw,
    models: ['tiny-byte'],
    datasets: [smallDataset(dir)],
    train: { ...TRAIN, steps: 6, checkpointEvery: 2 },
    ...extra,
  });
}

export interface CellRecord {
  id: number;
  state: string;
  attempts: number;
  worker: string | null;
  error: string | null;
  checkpoint: number | null;
  steps: number[];
  losses: number[];
  scores: Record<string, number>;
  logs: string[];
}

/** Every cell of the workspace as stored, read directly from SQLite. */
export function readCells(db: string): CellRecord[] {
  const d = new Database(db, { readonly: true });
  try {
    const cells = d
      .prepare<
        [],
        {
          id: number;
          state: string;
          attempts: number;
          worker: string | null;
          error: string | null;
          checkpoint: number | null;
        }
      >(
        'SELECT id, state, attempts, worker, error, last_checkpoint_step AS checkpoint FROM cells ORDER BY id',
      )
      .all();
    return cells.map((c) => {
      const metrics = d
        .prepare<[number], { step: number; loss: number }>(
          'SELECT step, loss FROM metrics WHERE cell_id = ? ORDER BY step',
        )
        .all(c.id);
      const scores = d
        .prepare<[number], { k: string; value: number }>(
          "SELECT benchmark || '/' || metric AS k, value FROM scores WHERE cell_id = ?",
        )
        .all(c.id);
      const logs = d
        .prepare<[number], { message: string }>(
          'SELECT message FROM logs WHERE cell_id = ? ORDER BY id',
        )
        .all(c.id);
      return {
        ...c,
        steps: metrics.map((m) => m.step),
        losses: metrics.map((m) => m.loss),
        scores: Object.fromEntries(scores.map((s) => [s.k, s.value])),
        logs: logs.map((l) => l.message),
      };
    });
  } finally {
    d.close();
  }
}

/** Polls the workspace until `ready` holds (read-only, as a second process would). */
export async function waitForCells(
  db: string,
  ready: (cells: CellRecord[]) => boolean,
  ms = 90_000,
): Promise<CellRecord[]> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const cells = readCells(db);
      if (ready(cells)) return cells;
    } catch {
      // Not created yet.
    }
    await sleep(150);
  }
  throw new Error('timed out waiting for the cells');
}
