/**
 * What a worker checks before it runs a job: every payload against the protocol schema, every
 * file inside its --allow folders, present, and with the sha256 the app recorded. A cell that
 * fails a check fails alone, with one message naming the worker, the path and the hash.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallDataset, sweepFile, TRAIN } from '../sweeps/cli-helpers';
import { PlwProcess, queueTempDir, readCells, startWorker } from './helpers';
import { redisAvailable, TestRedis } from './redis-server';

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

describe.skipIf(!redisAvailable())('a worker checks each job before running it', () => {
  let redis: TestRedis;
  let queue: Queue;
  const procs: PlwProcess[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
    queue = new Queue('plw-cells', { connection: { host: '127.0.0.1', port: redis.port } });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await queue?.close();
    await redis?.stop();
  });

  it('fails a cell whose file is missing, changed or outside --allow; the others go on', async () => {
    const dir = queueTempDir();
    const ok = smallDataset(dir);
    const changed = join(dir, 'changed.jsonl');
    const gone = join(dir, 'gone.jsonl');
    copyFileSync(ok, changed);
    copyFileSync(ok, gone);
    const elsewhere = queueTempDir();
    const outside = join(elsewhere, 'outside.jsonl');
    copyFileSync(ok, outside);
    const recorded = sha256(ok);
    const file = sweepFile(dir, {
      name: 'files',
      plw: [0.5],
      models: ['tiny-byte'],
      datasets: [ok, changed, gone, outside],
      train: { ...TRAIN, steps: 2, checkpointEvery: 2 },
    });
    const db = join(dir, 'ws.db');
    const run = PlwProcess.start(['sweep', 'run', file, '--db', db, '--queue', redis.url]);
    procs.push(run);
    // The app has hashed the files and queued the four jobs; now this host's copies change.
    while ((await queue.getJobCounts('waiting')).waiting < 4) await sleep(100);
    writeFileSync(changed, readFileSync(ok, 'utf8').replace(/a/, 'b'));
    rmSync(gone);
    const w = await startWorker(redis.url, 'w1', dir, join(dir, 'artifacts'));
    procs.push(w);
    expect(await run.exited).toBe(1);

    const cells = readCells(db);
    expect(cells.map((c) => c.state)).toEqual(['done', 'failed', 'failed', 'failed']);
    expect(cells[0]!.steps).toEqual([1, 2]);
    expect(cells[1]!.error).toBe(
      `worker w1: ${changed} differs from the app's copy (sha256 ${sha256(changed)}, expected sha256 ${recorded})`,
    );
    expect(cells[2]!.error).toBe(
      `worker w1: ${gone} is missing on this host (expected sha256 ${recorded})`,
    );
    expect(cells[3]!.error).toMatch(
      new RegExp(`^worker w1: refused ${outside}: outside the folders it may read`),
    );
    for (const c of cells.slice(1)) {
      expect(c.steps).toEqual([]);
      expect(c.logs.filter((l) => l === c.error)).toHaveLength(1);
    }

    // A payload that does not match the protocol runs nothing: the job fails, naming the field.
    const d = new Database(db, { readonly: true });
    const workspace = d
      .prepare<[], { value: string }>("SELECT value FROM queue_state WHERE key = 'workspace'")
      .get()!.value;
    d.close();
    const bad = await queue.add(
      'cell',
      { v: 1, workspace, cellId: 1, sweepId: 1, attempt: 9, model: { path: 'relative' } },
      { jobId: 'bad-payload' },
    );
    while (!(await bad.isFailed())) await sleep(100);
    const failed = (await queue.getJob('bad-payload'))!;
    expect(failed.failedReason).toMatch(/^worker w1: job bad-payload rejected: field "model/);
    expect(failed.attemptsMade).toBe(1);
    expect(w.stderr).toMatch(/job bad-payload rejected/);
  });
});
