/**
 * Crash safety end to end: SIGKILL of a worker in the middle of a cell trained by the real
 * trainer; the retry continues from the checkpoint and every step is stored exactly once, in
 * a database that passes integrity_check.
 */
import { describe, expect, it } from 'vitest';
import { plwAsync } from '../helpers/cli';
import { crashTestSweep, firstWorkerAfterCheckpoint, integrity, showCell } from './cli-helpers';

describe('a worker killed mid-cell', () => {
  it('retries a SIGKILLed worker from its checkpoint; each step is stored once', async () => {
    const { db, file } = crashTestSweep('kill-worker', 0.1);
    const run = plwAsync(['sweep', 'run', file, '--db', db]);
    const pid = await firstWorkerAfterCheckpoint(db);
    process.kill(pid, 'SIGKILL');
    const r = await run;
    expect(r.code).toBe(0);
    const cell = showCell(db, 1);
    expect(cell.state).toBe('done');
    expect(cell.attempts).toBe(2);
    expect(cell.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cell.log.some((l) => /worker killed by SIGKILL; re-queued/.test(l))).toBe(true);
    expect(cell.log.some((l) => /attempt 2 .*resuming from step \d/.test(l))).toBe(true);
    expect(integrity(db)).toBe('ok');
  });
});
