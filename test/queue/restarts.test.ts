/**
 * The queue survives its parts stopping: redis-server restarted mid-sweep (append-only file
 * on) loses no cell and runs none twice; the app killed mid-sweep while the worker goes on
 * ingests every step and score when it starts again.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PlwProcess,
  queueSweep,
  queueTempDir,
  readCells,
  startWorker,
  waitForCells,
} from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

const BENCH = { benchmarks: [{ task: 'demo_mc', limit: 4 }] };

/** How many times the worker started each cell (its "cell N (job …) started" lines). */
function starts(worker: PlwProcess, cell: number): number {
  return (worker.stderr.match(new RegExp(`cell ${cell} \\(job [^)]+\\) started`, 'g')) ?? [])
    .length;
}

describe.skipIf(!redisAvailable())('restarts around the queue', () => {
  let redis: TestRedis;
  const procs: PlwProcess[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('loses no cell and runs none twice when redis-server restarts mid-sweep', async () => {
    const dir = queueTempDir();
    const file = queueSweep(dir, 'redis-restart', [0, 1]);
    const db = join(dir, 'ws.db');
    const w = await startWorker(redis.url, 'w1', dir, join(dir, 'artifacts'));
    procs.push(w);
    const run = PlwProcess.start(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    procs.push(run);
    await waitForCells(db, (cells) => (cells[0]?.steps.length ?? 0) >= 1);
    await redis.restart();
    expect(await run.exited).toBe(0);
    const cells = readCells(db);
    for (const c of cells) {
      expect(c.state).toBe('done');
      expect(c.steps).toEqual([1, 2, 3, 4, 5, 6]);
      expect(c.logs.filter((l) => /running on worker/.test(l))).toHaveLength(1);
      expect(starts(w, c.id)).toBe(1);
    }
  });

  it('ingests every step and score a worker produced while the app was killed', async () => {
    const dir = queueTempDir();
    const file = queueSweep(dir, 'app-killed', [0, 1], BENCH);
    const db = join(dir, 'ws.db');
    const w = await startWorker(redis.url, 'w1', dir, join(dir, 'artifacts'));
    procs.push(w);
    const first = PlwProcess.start(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    procs.push(first);
    await waitForCells(db, (cells) => (cells[0]?.steps.length ?? 0) >= 1);
    await first.kill();
    // The worker goes on without the app and finishes both cells.
    await w.waitFor(/cell 2 done/);
    const before = readCells(db);
    expect(before[1]!.steps).toEqual([]);
    const second = PlwProcess.start(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    procs.push(second);
    expect(await second.exited).toBe(0);
    const cells = readCells(db);
    for (const c of cells) {
      expect(c.state).toBe('done');
      expect(c.steps).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Object.keys(c.scores)).toContain('demo_mc/acc');
      expect(c.logs.some((l) => /^re-attached to job .* \(completed\)/.test(l))).toBe(true);
      expect(starts(w, c.id)).toBe(1);
    }
  });
});
