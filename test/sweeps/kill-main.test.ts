/**
 * Crash safety end to end: SIGKILL of the main process in the middle of a cell trained by the
 * real trainer; its worker exits, and the next run continues the cell from its checkpoint with
 * every step stored exactly once, in a database that passes integrity_check.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { plwAsync } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';
import {
  alive,
  crashTestSweep,
  firstWorkerAfterCheckpoint,
  integrity,
  showCell,
} from './cli-helpers';

describe('the main process killed mid-cell', () => {
  it('after SIGKILL of the main process, its worker exits and a new run continues the cell', async () => {
    const { db, file } = crashTestSweep('kill-main', 0.5);
    const main = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin/plw.mjs'), 'sweep', 'run', file, '--db', db],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => main.once('exit', r));
    const pid = await firstWorkerAfterCheckpoint(db);
    main.kill('SIGKILL');
    await exited;
    // The orphan notices its parent is gone and stops.
    const end = Date.now() + 15_000;
    while (alive(pid) && Date.now() < end) await sleep(100);
    expect(alive(pid)).toBe(false);
    expect(integrity(db)).toBe('ok');

    const r = await plwAsync(['sweep', 'run', file, '--db', db]);
    expect(r.stderr).toMatch(/continuing/);
    expect(r.stderr).toMatch(/re-queued 1 cell\(s\) left running/);
    expect(r.code).toBe(0);
    const cell = showCell(db, 1);
    expect(cell.state).toBe('done');
    expect(cell.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cell.log.some((l) => /attempt 2 .*resuming from step \d/.test(l))).toBe(true);
    expect(integrity(db)).toBe('ok');
  });
});
