/**
 * A sweep sent to a BullMQ queue on a real redis-server and run by real `plw worker`
 * processes: the happy path end to end, with an AUTH password that must never be printed, and
 * what the app learns of its workers (hello, backend, which worker ran each cell, checkpoints
 * from the workers' events) through the service, `plw sweep status` and `plw cell show`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService } from '../../src-main/app/service';
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
    expect(json[0]!.cells.map((c) => c.worker)).toEqual(cells.map((c) => c.worker));
    const show = await plwAsync(['cell', 'show', String(cells[0]!.id), '--db', db, '--json']);
    const shown = JSON.parse(show.stdout) as { id: number; state: string; worker: string };
    expect(shown).toMatchObject({ id: cells[0]!.id, state: 'done', worker: cells[0]!.worker });

    // What the app shows of it: each worker's hello, the backend, checkpoints from events.
    const service = await openWorkspaceService({
      dbPath: db,
      builtins: { models: ['tiny-byte'], datasets: {}, tasks: ['demo_mc'] },
      workers: 1,
    });
    try {
      const listed = await service.handlers['workers:list']({});
      expect(listed.map((w) => w.name).sort()).toEqual(['w1', 'w2']);
      for (const w of listed) {
        expect(w.host).not.toBe('');
        expect(w.backend).toMatch(/^(tensorflow-gpu|tensorflow|wasm-blas|wasm-xnnpack|cpu)$/);
        expect(w.connected).toBe(true);
        expect(w.cells).toEqual([]);
      }
      const info = await service.handlers['workspace:info']({});
      expect(info.backend).toBe(listed[0]!.backend);
      for (const c of cells) {
        const detail = await service.handlers['cells:get']({ id: c.id });
        expect(detail.cell.worker).toBe(c.worker);
        // The newest checkpoint as the worker reported it: a folder under its --artifacts.
        expect(detail.checkpoints).toHaveLength(1);
        expect(detail.checkpoints[0]!.step).toBe(6);
        expect(detail.checkpoints[0]!.path).toMatch(
          new RegExp(`^${artifacts}/[0-9a-f]{24}/cell-${c.id}/step-0+6$`),
        );
      }
    } finally {
      await service.close();
    }

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
