/**
 * The app reads its workers' events from a Redis stream that any holder of the password (or a
 * buggy worker) can append to. A real redis-server and a real workspace on it, with this test
 * playing the workers: it appends the entries itself, so the sweep takes seconds. A malformed
 * entry, an entry naming another sweep's cell, and an entry for an attempt that already ended
 * are each skipped (logged once with their stream id, nothing written), the read position
 * moves past them, and the sweep goes on.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src-main/queue/connection';
import { cellJobsKey, eventStreamKey, jobIdFor } from '../../src-main/queue/protocol';
import { parseRedisUrl } from '../../src-main/queue/url';
import { resolveSweep, type Builtins } from '../../src-main/sweeps/load';
import { Workspace } from '../../src-main/workspace/workspace';
import { smallDataset, TRAIN } from '../sweeps/cli-helpers';
import { queueTempDir, readCells } from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

const BUILTINS: Builtins = { models: ['tiny-byte'], datasets: {}, tasks: ['demo_mc'] };

function step(cellId: number, n: number): Record<string, unknown> {
  return {
    type: 'progress',
    phase: 'train',
    cellId,
    step: n,
    totalSteps: 2,
    loss: 1 / n,
    promptLoss: null,
    completionLoss: null,
    lr: 1e-3,
    gradNorm: null,
    tokensPerSec: null,
    time: Date.now(),
  };
}

describe.skipIf(!redisAvailable())('the event stream of a queue', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('skips malformed, foreign and late entries, once each, and the sweep goes on', async () => {
    const dir = queueTempDir();
    const dbPath = join(dir, 'ws.db');
    const dataset = smallDataset(dir);
    const lines: string[] = [];
    const ws = new Workspace({
      dbPath,
      runEverything: false,
      flushIntervalMs: 20,
      queue: {
        url: redis.url,
        builtins: BUILTINS,
        hashPath: (p) => createHash('sha256').update(readFileSync(p)).digest('hex'),
        log: (line) => lines.push(line),
      },
    });
    const client = connectRedis(parseRedisUrl(redis.url));
    try {
      const sweep = (name: string, plw: number[]): number =>
        ws.repo.createOrContinue(
          resolveSweep(
            {
              name,
              plw,
              models: ['tiny-byte'],
              datasets: [dataset],
              train: { ...TRAIN, steps: 2 },
            },
            name,
            dir,
            BUILTINS,
          ),
          null,
        ).id;
      const a = sweep('a', [0, 1]);
      const b = sweep('b', [0.5]);
      const [a1, a2] = ws.repo.cells(a).map((c) => c.id) as [number, number];
      const b1 = ws.repo.cells(b)[0]!.id;
      const running = ws.run([a]);

      const wsId = new Database(dbPath, { readonly: true })
        .prepare<[], { value: string }>("SELECT value FROM queue_state WHERE key = 'workspace'")
        .get()!.value;
      const key = eventStreamKey(wsId);
      // The app has sent both jobs (nobody takes them: this test appends their events).
      while ((await client.hlen(cellJobsKey(wsId))) < 2) await sleep(50);
      const jobOf = async (cell: number): Promise<string> =>
        (await client.hget(cellJobsKey(wsId), String(cell)))!;
      const job1 = await jobOf(a1);
      const job2 = await jobOf(a2);
      const add = (job: string, events: unknown[]): Promise<string> =>
        client.xadd(
          key,
          '*',
          'job',
          job,
          'run',
          'r1',
          'worker',
          'w1',
          'events',
          JSON.stringify(events),
        ) as Promise<string>;

      // A step without its time: refused by the schema (SQLite's NOT NULL used to stop the app).
      const { time: _time, ...timeless } = step(a1, 1);
      const malformed = await add(job1, [timeless]);
      // Entries naming sweep b's cell: through sweep a's job, and through a job nobody sent.
      const foreign = await add(job1, [step(b1, 1)]);
      const unknownJob = await add(jobIdFor(wsId, b, b1, 1, Date.now()), [
        step(b1, 1),
        { type: 'log', cellId: b1, level: 'info', message: 'forged' },
      ]);
      await add(job1, [step(a1, 1), step(a1, 2), { type: 'done', cellId: a1 }]);
      await add(job2, [
        step(a2, 1),
        { type: 'error', cellId: a2, error: { code: 'run_failed', message: 'boom' } },
      ]);
      await running;

      // An entry for cell a1's attempt, which has ended.
      const late = await add(job1, [
        step(a1, 3),
        { type: 'log', cellId: a1, level: 'info', message: 'late' },
      ]);
      const cursor = (): string =>
        new Database(dbPath, { readonly: true })
          .prepare<[], { value: string }>("SELECT value FROM queue_state WHERE key = 'cursor'")
          .get()!.value;
      const end = Date.now() + 20_000;
      while (cursor() !== late && Date.now() < end) await sleep(50);
      expect(cursor()).toBe(late);

      const cells = readCells(dbPath);
      const byId = new Map(cells.map((c) => [c.id, c]));
      expect(byId.get(a1)).toMatchObject({ state: 'done', steps: [1, 2] });
      expect(byId.get(a2)).toMatchObject({ state: 'failed', steps: [1] });
      expect(byId.get(a1)!.logs.filter((l) => l === 'late')).toEqual([]);
      expect(byId.get(b1)).toMatchObject({ state: 'queued', steps: [], logs: [] });

      for (const id of [malformed, foreign, unknownJob, late]) {
        expect(lines.filter((l) => l.includes(`stream entry ${id}`))).toHaveLength(1);
      }
      expect(lines.find((l) => l.includes(`stream entry ${malformed}`))).toMatch(/time/);

      // A retry resets failed a2's attempts, so its new attempt is attempt 1 again: a late entry
      // of the first attempt 1's run (even a `done`) must not pass for the new attempt's.
      expect(ws.act(a2, 'retry')).toBe(true);
      const rerun = ws.run([a]);
      let retried: string | null = null;
      const sent = Date.now() + 20_000;
      while ((retried === null || retried === job2) && Date.now() < sent) {
        await sleep(50);
        retried = await client.hget(cellJobsKey(wsId), String(a2));
      }
      // The retried attempt runs as a job of its own (it used to reuse job2's id).
      expect(retried).not.toBe(job2);
      const stale = await add(job2, [
        step(a2, 5),
        { type: 'log', cellId: a2, level: 'info', message: 'stale' },
        { type: 'done', cellId: a2 },
      ]);
      while (cursor() !== stale && Date.now() < end + 20_000) await sleep(50);
      expect(readCells(dbPath).find((c) => c.id === a2)).toMatchObject({ state: 'running' });
      await add(retried!, [step(a2, 1), step(a2, 2), { type: 'done', cellId: a2 }]);
      await rerun;
      const again = readCells(dbPath).find((c) => c.id === a2)!;
      expect(again).toMatchObject({ state: 'done', steps: [1, 2] });
      expect(again.logs.filter((l) => l === 'stale')).toEqual([]);
      expect(lines.filter((l) => l.includes(`stream entry ${stale}`))).toHaveLength(1);
      expect(lines.find((l) => l.includes(`stream entry ${stale}`))).toMatch(/retry/);
    } finally {
      client.disconnect();
      await ws.close();
    }
  }, 60_000);
});
