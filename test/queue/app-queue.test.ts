/**
 * The app on a queue: the queue URL saved in the workspace's settings (Settings page) sends its
 * sweeps to a real redis-server, where a real `plw worker` runs them, from the next time the app
 * opens the workspace; pause, resume, cancel and retry act on queued and running remote cells
 * as they do on local ones. The app is the real service (API handlers, real SQLite) in this
 * process; the password never appears in what it returns.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { appBuiltins } from '../../src-main/sweeps/builtins';
import type { CellSummary } from '../../src-shared/api';
import { smallDataset, TRAIN } from '../sweeps/cli-helpers';
import { PlwProcess, queueTempDir, startWorker } from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

const PASSWORD = 'app-Pa55word';

/** Polls the sweep's cells until `ready` holds. */
async function until(
  app: WorkspaceService,
  sweepId: number,
  ready: (cells: CellSummary[]) => boolean,
  ms = 180_000,
): Promise<CellSummary[]> {
  const end = Date.now() + ms;
  for (;;) {
    const cells = (await app.handlers['sweeps:get']({ id: sweepId })).cellList;
    if (ready(cells)) return cells;
    if (Date.now() > end) {
      throw new Error(`timed out; cells: ${JSON.stringify(cells.map((c) => [c.state, c.step]))}`);
    }
    await sleep(100);
  }
}

async function steps(app: WorkspaceService, cellId: number): Promise<number[]> {
  const m = await app.handlers['cells:metrics']({ ids: [cellId], maxPoints: 0 });
  return (m[cellId] ?? []).map((p) => p.step);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe.skipIf(!redisAvailable())('the app on the queue saved in its settings', () => {
  let redis: TestRedis;
  let dir: string;
  let db: string;
  let app: WorkspaceService;
  let worker: PlwProcess;
  const open = (): Promise<WorkspaceService> =>
    openWorkspaceService({ dbPath: db, builtins: appBuiltins(), workers: 1 });

  beforeAll(async () => {
    redis = await TestRedis.start({ password: PASSWORD });
    dir = queueTempDir();
    db = join(dir, 'ws.db');
  });
  afterAll(async () => {
    await app?.close();
    await worker?.kill();
    await redis?.stop();
  });

  it('sends sweeps to that queue from the next time it opens the workspace', async () => {
    app = await open();
    expect(await app.handlers['settings:queue']({})).toEqual({ url: null, active: null });
    const bad = Promise.resolve().then(() =>
      app.handlers['settings:set-queue']({ url: 'http://x:1' }),
    );
    await expect(bad).rejects.toThrow(/^queue URL: "http:\/\/x:1" must start with redis:\/\//);
    const shown = `redis://:***@127.0.0.1:${redis.port}`;
    const saved = await app.handlers['settings:set-queue']({ url: redis.url });
    expect(saved).toEqual({ url: shown, active: null });
    // The page shows the URL redacted; saving that form back keeps the password.
    expect(await app.handlers['settings:set-queue']({ url: shown })).toEqual(saved);
    await app.close();

    app = await open();
    expect(await app.handlers['settings:queue']({})).toEqual({ url: shown, active: shown });
    worker = await startWorker(redis.url, 'w1', dir, join(dir, 'artifacts'));
    const { id } = await app.handlers['sweeps:create']({
      definition: {
        name: 'on-the-queue',
        plw: [0, 1],
        models: ['tiny-byte'],
        datasets: [smallDataset(dir)],
        train: { ...TRAIN, steps: 4, checkpointEvery: 2 },
      },
      start: true,
    });
    const cells = await until(app, id, (cs) => cs.every((c) => c.state === 'done'));
    expect(cells.map((c) => c.worker)).toEqual(['w1', 'w1']);
    for (const c of cells) expect(await steps(app, c.id)).toEqual(range(4));
    expect(worker.stderr.match(/ started/g)).toHaveLength(2);
    const listed = await app.handlers['workers:list']({});
    expect(listed.map((w) => [w.name, w.connected])).toEqual([['w1', true]]);
    expect((await app.handlers['workspace:info']({})).backend).toBe(listed[0]!.backend);
    expect(worker.stderr).not.toContain(PASSWORD);
  }, 300_000);

  it('pauses, resumes, cancels and retries queued and running remote cells', async () => {
    const STEPS = 100;
    const { id } = await app.handlers['sweeps:create']({
      definition: {
        name: 'actions',
        plw: [0, 1],
        models: ['tiny-byte'],
        datasets: [smallDataset(dir)],
        train: { ...TRAIN, steps: STEPS, checkpointEvery: 20 },
      },
      start: true,
    });
    // One worker running one cell at a time: the first cell runs, the second waits in the queue.
    const first = await until(app, id, (cs) => cs[0]!.worker === 'w1' && cs[0]!.step >= 1);
    const [a, b] = first.map((c) => c.id) as [number, number];
    expect(first[1]!.worker).toBeNull();

    // Pause the queued one: its job leaves the queue, no worker ever ran it.
    expect(await app.handlers['cells:action']({ ids: [b], action: 'pause' })).toEqual({
      changed: 1,
    });
    await until(app, id, (cs) => cs[1]!.state === 'paused');
    // Cancel the running one: the worker holding it stops it.
    expect(await app.handlers['cells:action']({ ids: [a], action: 'cancel' })).toEqual({
      changed: 1,
    });
    const stopped = await until(app, id, (cs) => cs[0]!.state === 'cancelled');
    expect(stopped[0]!.step).toBeLessThan(STEPS);
    expect(stopped[1]).toMatchObject({ state: 'paused', worker: null, step: 0 });
    expect(await steps(app, b)).toEqual([]);

    // Resume the paused one and retry the cancelled one: both run to the end on the worker.
    await app.handlers['cells:action']({ ids: [b], action: 'resume' });
    await app.handlers['cells:action']({ ids: [a], action: 'retry' });
    const done = await until(app, id, (cs) => cs.every((c) => c.state === 'done'));
    expect(done.map((c) => c.worker)).toEqual(['w1', 'w1']);
    for (const c of done) expect(await steps(app, c.id)).toEqual(range(STEPS));
    expect(worker.stderr).toMatch(/stopped by the app/);
    expect(worker.stderr).not.toContain(PASSWORD);
  }, 300_000);
});
