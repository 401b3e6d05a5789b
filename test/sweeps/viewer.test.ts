/**
 * One workspace, one runner, any number of viewers: `plw sweep run` in a terminal runs the
 * cells while the app's service, opened on the same file, only shows them live, and takes the
 * workspace over when the run is killed. Real processes, the real trainer.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import type { EventName } from '../../src-shared/api';
import { REPO_ROOT } from '../helpers/paths';
import { checkpointed, integrity, smallDataset, sweepFile, TRAIN, waitFor } from './cli-helpers';
import { tempDir } from './helpers';

const STEPS = 8;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A 2-cell sweep on tiny-byte, started by `plw sweep run --workers 1` as a real process. */
function startRun(): { db: string; child: ChildProcess; exited: Promise<number | null> } {
  const dir = tempDir();
  const file = sweepFile(dir, {
    name: 'viewer',
    plw: [0, 1],
    models: ['tiny-byte'],
    datasets: [smallDataset(dir)],
    train: { ...TRAIN, steps: STEPS, checkpointEvery: 2 },
  });
  const db = join(dir, 'ws.db');
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/plw.mjs'), 'sweep', 'run', file, '--db', db, '--workers', '1'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { db, child, exited };
}

async function openViewer(db: string) {
  const service: WorkspaceService = await openWorkspaceService({
    dbPath: db,
    builtins: { models: ['tiny-byte'], datasets: {}, tasks: [] },
    workers: 1,
  });
  cleanups.push(() => service.close());
  const events: { event: EventName; payload: Record<string, unknown> }[] = [];
  service.events.subscribe((event, payload) =>
    events.push({ event, payload: payload as Record<string, unknown> }),
  );
  return { service, events };
}

function cells(db: string): { id: number; state: string; attempts: number; steps: number[] }[] {
  const d = new Database(db, { readonly: true });
  try {
    return d
      .prepare<[], { id: number; state: string; attempts: number }>(
        'SELECT id, state, attempts FROM cells ORDER BY id',
      )
      .all()
      .map((c) => ({
        ...c,
        steps: d
          .prepare<[number], { step: number }>(
            'SELECT step FROM metrics WHERE cell_id = ? ORDER BY step',
          )
          .all(c.id)
          .map((m) => m.step),
      }));
  } finally {
    d.close();
  }
}

const ALL_STEPS = Array.from({ length: STEPS }, (_, i) => i + 1);

describe('a second process on a workspace that a sweep run holds', () => {
  it('shows the run live without training any cell again', async () => {
    const { db, child, exited } = startRun();
    await waitFor(db, (d) => checkpointed(d, 1));
    const { service, events } = await openViewer(db);
    const info = await service.handlers['workspace:info']({});
    expect(info.runnerPid).toBe(child.pid);

    expect(await exited).toBe(0);
    // Once the run has ended, the viewer takes the workspace; it finds nothing left to run.
    const end = Date.now() + 10_000;
    while ((await service.handlers['workspace:info']({})).runnerPid !== null) {
      if (Date.now() > end) throw new Error('the viewer never took the workspace over');
      await sleep(50);
    }
    const rows = cells(db);
    expect(rows.map((c) => [c.state, c.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
    ]);
    for (const c of rows) expect(c.steps).toEqual(ALL_STEPS);

    // What the viewer's windows were told: cell 2's training, step by step, and both ends.
    const second = rows[1]!.id;
    const progress = events
      .filter((e) => e.event === 'cell:progress' && e.payload.cellId === second)
      .map((e) => (e.payload.point as { step: number }).step);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(STEPS);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    for (const c of rows) {
      expect(
        events.some(
          (e) =>
            e.event === 'cell:state' && e.payload.cellId === c.id && e.payload.state === 'done',
        ),
      ).toBe(true);
    }
    // Viewer and runner share the UI's view of the cell: steps, attempts, its log.
    const detail = await service.handlers['cells:get']({ id: second });
    expect(detail.cell.step).toBe(STEPS);
    expect(integrity(db)).toBe('ok');
  });

  it('takes the workspace over when the running process is killed, each step stored once', async () => {
    const { db, child, exited } = startRun();
    await waitFor(db, (d) => checkpointed(d, 1));
    const { service, events } = await openViewer(db);
    expect((await service.handlers['workspace:info']({})).runnerPid).toBe(child.pid);
    child.kill('SIGKILL');
    await exited;
    await waitFor(
      db,
      (d) =>
        d.prepare<[], { n: number }>(`SELECT count(*) AS n FROM cells WHERE state = 'done'`).get()!
          .n === 2 || undefined,
      120_000,
    );
    expect((await service.handlers['workspace:info']({})).runnerPid).toBeNull();
    const rows = cells(db);
    // Cell 1 was killed mid-training: one more attempt, resumed from its checkpoint.
    expect(rows.map((c) => [c.state, c.attempts])).toEqual([
      ['done', 2],
      ['done', 1],
    ]);
    for (const c of rows) expect(c.steps).toEqual(ALL_STEPS);
    expect(events.some((e) => e.event === 'cell:state' && e.payload.state === 'running')).toBe(
      true,
    );
    expect(integrity(db)).toBe('ok');
  });
});
