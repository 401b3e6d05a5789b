/**
 * SIGKILL of a `plw worker` in the middle of a cell: BullMQ's stalled-job check hands the job to
 * another worker. With a shared --artifacts folder it resumes from the last checkpoint; with
 * its own folder it starts the cell over. Either way every step is stored once and the losses
 * and scores equal those of an uninterrupted local run with the same seed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plwAsync } from '../helpers/cli';
import {
  PlwProcess,
  queueSweep,
  queueTempDir,
  readCells,
  startWorker,
  waitForCells,
  type CellRecord,
} from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

const SWEEP = { benchmarks: [{ task: 'demo_mc', limit: 4 }] };
/** Short BullMQ lock and stalled check, so the test sees a dead worker's job move in seconds. */
const FAST_STALL = ['--lock-duration', '3000', '--stalled-interval', '1000'];

describe.skipIf(!redisAvailable())('a queue worker killed mid-cell', () => {
  let redis: TestRedis;
  let reference: CellRecord;
  const procs: PlwProcess[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
    // The uninterrupted run: the same cell on a local worker.
    const dir = queueTempDir();
    const r = await plwAsync([
      'sweep',
      'run',
      queueSweep(dir, 'killed', [0.1], SWEEP),
      '--db',
      join(dir, 'ref.db'),
    ]);
    expect(r.code).toBe(0);
    reference = readCells(join(dir, 'ref.db'))[0]!;
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await redis?.stop();
  });

  async function killMidCell(shared: boolean): Promise<CellRecord> {
    const dir = queueTempDir();
    const file = queueSweep(dir, 'killed', [0.1], SWEEP);
    const db = join(dir, 'ws.db');
    const w1 = await startWorker(redis.url, 'w1', dir, join(dir, 'a1'), FAST_STALL);
    procs.push(w1);
    const run = PlwProcess.start(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    procs.push(run);
    await waitForCells(db, (cells) => (cells[0]?.checkpoint ?? 0) >= 2);
    await w1.kill();
    const second = shared ? join(dir, 'a1') : join(dir, 'a2');
    mkdirSync(second, { recursive: true });
    const w2 = await startWorker(redis.url, 'w2', dir, second, FAST_STALL);
    procs.push(w2);
    expect(await run.exited).toBe(0);
    // No worker of this case may take the next case's job.
    await Promise.all(procs.splice(0).map((p) => p.kill()));
    const cell = readCells(db)[0]!;
    expect(cell.state).toBe('done');
    expect(cell.worker).toBe('w2');
    expect(cell.steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cell.logs).toContain('attempt 1 running on worker w2 (run 2 of its job)');
    expect(cell.losses).toEqual(reference.losses);
    expect(cell.scores).toEqual(reference.scores);
    expect(Object.keys(cell.scores).length).toBeGreaterThan(0);
    return cell;
  }

  it('resumes from the last checkpoint under a shared --artifacts folder', async () => {
    const cell = await killMidCell(true);
    expect(cell.logs.some((l) => /^resumed from checkpoint [2-6]\b/.test(l))).toBe(true);
  });

  it('starts the cell over on a worker with its own --artifacts folder', async () => {
    const cell = await killMidCell(false);
    expect(cell.logs.some((l) => /^resumed from checkpoint/.test(l))).toBe(false);
  });
});
