/**
 * A sweep sent to a BullMQ queue on a real redis-server and run by real `plw worker`
 * processes: the happy path end to end, with an AUTH password that must never be printed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plwAsync } from '../helpers/cli';
import { PlwProcess, queueSweep, queueTempDir, readCells, startWorker } from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

const PASSWORD = 's3cret-Pa55word';

describe.skipIf(!redisAvailable())('a sweep on the queue', () => {
  let redis: TestRedis;
  const workers: PlwProcess[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start({ password: PASSWORD });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.stop();
  });

  it('runs every cell on two workers, stores each step once and never prints the password', async () => {
    const dir = queueTempDir();
    const file = queueSweep(dir, 'queued', [0, 1], {
      benchmarks: [{ task: 'demo_mc', limit: 4 }],
    });
    const db = join(dir, 'ws.db');
    const artifacts = join(dir, 'artifacts');
    workers.push(await startWorker(redis.url, 'w1', dir, artifacts));
    workers.push(await startWorker(redis.url, 'w2', dir, artifacts));
    const run = await plwAsync(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    expect(run.stderr).toMatch(/sending cells to the queue redis:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(run.code).toBe(0);
    const cells = readCells(db);
    expect(cells.map((c) => c.state)).toEqual(['done', 'done']);
    for (const c of cells) {
      expect(c.steps).toEqual([1, 2, 3, 4, 5, 6]);
      expect(c.attempts).toBe(1);
      expect(['w1', 'w2']).toContain(c.worker);
      expect(Object.keys(c.scores)).toContain('demo_mc/acc');
      expect(c.logs.filter((l) => /^attempt 1 running on worker w\d$/.test(l))).toHaveLength(1);
    }
    const status = await plwAsync(['sweep', 'status', '--db', db, '--json']);
    const json = JSON.parse(status.stdout) as { cells: { worker: string }[] }[];
    expect(json[0]!.cells.map((c) => c.worker).every((w) => w === 'w1' || w === 'w2')).toBe(true);

    // Sending the same sweep again trains nothing twice.
    const again = await plwAsync(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/continuing \(2 of 2 cells done\)/);
    const started = workers.map((w) => (w.stderr.match(/ started/g) ?? []).length);
    expect(started.reduce((a, b) => a + b, 0)).toBe(2);

    for (const text of [run.stderr, run.stdout, again.stderr, ...workers.map((w) => w.stderr)]) {
      expect(text).not.toContain(PASSWORD);
    }
  });
});
