/**
 * The ETA and worker count on a queue: the app sends every cell at once (QUEUE_SLOTS), so it
 * must count the workers connected, not the cells sent. A real redis-server and a real BullMQ
 * worker that takes one cell's job and reports its steps on the workspace's stream (this test
 * plays `plw worker`, so no training runs).
 */
import { Worker, type Job } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { bullConnection, connectRedis } from '../../src-main/queue/connection';
import {
  eventStreamKey,
  QUEUE_NAME,
  WORKERS_KEY,
  type CellJob,
} from '../../src-main/queue/protocol';
import { parseRedisUrl } from '../../src-main/queue/url';
import { Settings } from '../../src-main/store/settings';
import { Store } from '../../src-main/store/store';
import { QUEUE_SETTING } from '../../src-main/workspace/workspace';
import { redisAvailable, TestRedis } from './redis-server';

const STEPS = 10;

describe.skipIf(!redisAvailable())('ETA on a queue', () => {
  let redis: TestRedis;
  let service: WorkspaceService | undefined;
  let worker: Worker | undefined;
  let release: () => void = () => undefined;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    release();
    await worker?.close(true);
    await service?.close();
    await redis?.stop();
  });

  it('divides by the workers connected, and workspace:info counts them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plw-queue-eta-'));
    writeFileSync(
      join(dir, 'd.json'),
      JSON.stringify([{ instruction: 'a', input: '', output: 'b' }]),
    );
    const dbPath = join(dir, 'ws.db');
    const store = new Store(dbPath);
    new Settings(store).set(QUEUE_SETTING, redis.url);
    store.close();
    const target = parseRedisUrl(redis.url);
    const client = connectRedis(target);

    // One worker, as `plw worker --name w1` registers itself: its hello, and its BullMQ name.
    const now = Date.now();
    const hello = {
      name: 'w1',
      host: 'box',
      pid: process.pid,
      backend: { name: 'cpu', reason: 'test', skipped: [], threads: null, blas: null },
      startedAt: now,
    };
    await client.hset(WORKERS_KEY, 'w1', JSON.stringify(hello));
    const held = new Promise<void>((r) => (release = r));
    const taken: Job[] = [];
    worker = new Worker(
      QUEUE_NAME,
      async (job: Job) => {
        taken.push(job);
        const data = job.data as CellJob;
        // Three steps one second apart (the stream carries the worker's own clock).
        const events = [1, 2, 3].map((step) => ({
          type: 'progress',
          phase: 'train',
          cellId: data.cellId,
          step,
          totalSteps: STEPS,
          loss: 1,
          promptLoss: null,
          completionLoss: null,
          lr: 1e-3,
          gradNorm: null,
          tokensPerSec: null,
          time: now + step * 1000,
        }));
        await client.xadd(
          eventStreamKey(data.workspace),
          '*',
          ...['job', job.id!, 'run', 'r1', 'worker', 'w1', 'events', JSON.stringify(events)],
        );
        await held;
      },
      { connection: bullConnection(target), concurrency: 1, name: 'w1' },
    );
    await worker.waitUntilReady();

    service = await openWorkspaceService({
      dbPath,
      builtins: { models: ['tiny-byte'], datasets: {}, tasks: [] },
      baseDir: dir,
    });
    const { id } = await service.handlers['sweeps:create']({
      definition: {
        name: 'eta',
        plw: [0, 0.25, 0.5, 1],
        models: ['tiny-byte'],
        datasets: ['d.json'],
        benchmarks: [],
        train: { steps: STEPS },
      },
      start: true,
    });
    const deadline = Date.now() + 30_000;
    let detail = await service.handlers['sweeps:get']({ id });
    let info = await service.handlers['workspace:info']({});
    while (info.workers !== 1 || !detail.cellList.some((c) => c.step === 3)) {
      if (Date.now() > deadline) {
        throw new Error(`workers ${info.workers}, steps ${detail.cellList.map((c) => c.step)}`);
      }
      await sleep(100);
      detail = await service.handlers['sweeps:get']({ id });
      info = await service.handlers['workspace:info']({});
    }
    expect(taken).toHaveLength(1);
    // The cell on w1 has 7 steps left at 1 s each; the three others wait for it: 37 s in all.
    const onWorker = detail.cellList.find((c) => c.step === 3)!;
    expect(onWorker.etaSeconds).toBeCloseTo(7, 6);
    expect(detail.etaSeconds).toBeCloseTo(STEPS - 3 + 3 * STEPS, 6);
    client.disconnect();
  }, 60_000);
});
