/**
 * Distributed sweeps benchmark: what the BullMQ queue costs per cell and how fast events come
 * back through Redis, on a redis-server of its own (127.0.0.1, temp dir, appendonly).
 *
 *   npx tsx bench/distributed.ts [--cells 4] [--steps 2] [--rows 200000] [--skip-cells]
 *
 * 1. Per-cell overhead, tiny cells (tiny-byte, `--steps` steps, no benchmark), with 1, 2 and 4
 *    `plw worker` processes against local fork mode (`plw sweep run --workers 2`):
 *    - pickup: enqueue → a worker starts the job (BullMQ timestamp → processedOn), counted from
 *      when the job became startable (its enqueue, or the end of the worker's previous job);
 *    - finish: last step (the worker's clock on the step) → cell done in SQLite (finished_at).
 * 2. Ingest: `--rows` progress events appended to the stream as a worker does (StreamRelay,
 *    batches of 1000) and ingested by the app's QueueHost into SQLite: rows/s end to end.
 * 3. Event → UI latency: 20 steps/s for 10 s through the same path to a hub subscriber (the
 *    renderer's feed, throttled to 100 ms per cell as for local workers): p50 / p95.
 * 4. Small appends: 64 relays each appending one-event batches back to back for 3 s (what
 *    many workers each flushing every 100 ms look like to Redis): XADDs/s the server takes.
 * Prints the figures, the load average and the scaling estimate derived from them (how many
 * workers one app and one Redis serve before ingest or Redis's appends are the bottleneck).
 */
import { execFileSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { connectRedis } from '../src-main/queue/connection';
import { cellJobsKey, eventStreamKey, QUEUE_NAME } from '../src-main/queue/protocol';
import { StreamRelay } from '../src-main/queue/worker/stream-relay';
import { parseRedisUrl } from '../src-main/queue/url';
import { appBuiltins } from '../src-main/sweeps/builtins';
import { loadSweepFile } from '../src-main/sweeps/load';
import { Workspace } from '../src-main/workspace/workspace';
import type { WorkerEvent } from '../src-shared/protocol';
import { sha256OfPath } from '../src-worker/files';
import { TestRedis } from '../test/queue/redis-server';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? def : Number(args[i + 1]);
};
const CELLS = opt('cells', 4);
const STEPS = opt('steps', 2);
const ROWS = opt('rows', 200_000);
const BIN = join(import.meta.dirname, '../bin/plw.mjs');
const DEMO = join(import.meta.dirname, '../resources/demo/demo-long.jsonl');

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}
const fmt = (xs: number[]): string =>
  `median ${quantile(xs, 0.5).toFixed(0)} ms, p95 ${quantile(xs, 0.95).toFixed(0)} ms (n=${xs.length})`;

function sweepDir(name: string): { dir: string; file: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plw-bench-dist-'));
  const data = join(dir, 'small.jsonl');
  writeFileSync(data, readFileSync(DEMO, 'utf8').split('\n').slice(0, 16).join('\n'));
  const file = join(dir, 'sweep.json');
  const plw = Array.from({ length: CELLS }, (_, i) => i / Math.max(1, CELLS - 1));
  writeFileSync(
    file,
    JSON.stringify({
      name,
      plw,
      models: ['tiny-byte'],
      datasets: [data],
      train: { batchSize: 1, maxLength: 320, lr: 1e-3, steps: STEPS, checkpointEvery: STEPS },
    }),
  );
  return { dir, file, db: join(dir, 'ws.db') };
}

/** last step (worker clock) → cell done in SQLite, per cell. */
function finishLatencies(db: string): number[] {
  const d = new Database(db, { readonly: true });
  const rows = d
    .prepare<[], { last: number; done: number }>(
      `SELECT (SELECT max(time) FROM metrics WHERE cell_id = cells.id) AS last,
              finished_at AS done FROM cells WHERE state = 'done'`,
    )
    .all();
  d.close();
  return rows.map((r) => r.done - r.last);
}

async function queueRun(redis: TestRedis, workers: number): Promise<string> {
  const { dir, file, db } = sweepDir(`bench-${workers}w`);
  const procs = [];
  for (let i = 0; i < workers; i++) {
    const p = spawn(
      process.execPath,
      [BIN, 'worker', '--queue', redis.url, '--name', `b${i}`, '--artifacts', join(dir, 'art')],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    procs.push({ p, ready: () => /waiting for cells/.test(err) });
  }
  while (!procs.every((p) => p.ready())) await sleep(100);
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
  await queue.obliterate({ force: true });
  const t0 = Date.now();
  execFileSync(process.execPath, [BIN, 'sweep', 'run', file, '--db', db, '--queue', redis.url], {
    stdio: 'ignore',
  });
  const wall = Date.now() - t0;
  const jobs = await queue.getJobs(['completed']);
  // Pickup: from when the job could start (enqueued, and its worker free) to processedOn.
  const byWorker = new Map<string, { start: number; end: number; queued: number }[]>();
  for (const j of jobs) {
    const w = String((j.returnvalue as { worker?: string } | undefined)?.worker);
    const list = byWorker.get(w) ?? [];
    list.push({ start: j.processedOn!, end: j.finishedOn!, queued: j.timestamp });
    byWorker.set(w, list);
  }
  const pickup: number[] = [];
  for (const list of byWorker.values()) {
    list.sort((a, b) => a.start - b.start);
    list.forEach((j, i) => pickup.push(j.start - Math.max(j.queued, i > 0 ? list[i - 1]!.end : 0)));
  }
  await queue.close();
  for (const { p } of procs) p.kill('SIGKILL');
  return `${workers} worker(s): pickup ${fmt(pickup)}; finish ${fmt(finishLatencies(db))}; wall ${(wall / 1000).toFixed(1)} s`;
}

function localRun(): string {
  const { file, db } = sweepDir('bench-local');
  const t0 = Date.now();
  execFileSync(process.execPath, [BIN, 'sweep', 'run', file, '--db', db, '--workers', '2'], {
    stdio: 'ignore',
  });
  const wall = Date.now() - t0;
  return `local fork, 2 workers: pickup 0 (forked at claim); finish ${fmt(finishLatencies(db))}; wall ${(wall / 1000).toFixed(1)} s`;
}

/** The app's queue path in process: one cell whose "worker" is this script writing the stream. */
async function ingest(
  redis: TestRedis,
): Promise<{ rowsPerSec: number; produced: number; latency: number[] }> {
  const { file, db } = sweepDir('bench-ingest');
  const open = (): Workspace =>
    new Workspace({
      dbPath: db,
      runEverything: false,
      queue: {
        url: redis.url,
        builtins: appBuiltins(),
        hashPath: sha256OfPath,
        log: () => undefined,
      },
    });
  const redisClient = connectRedis(parseRedisUrl(redis.url));
  // The app sends its jobs and is closed while "workers" train (job ids name the attempt's
  // claim time, so they are read back from Redis, not predicted).
  const first = open();
  const loaded = loadSweepFile(file, appBuiltins());
  const { id } = first.repo.createOrContinue(loaded.definition, loaded.file);
  const cells = first.repo.cells(id);
  const workspace = (
    first.store.db.prepare("SELECT value FROM queue_state WHERE key = 'workspace'").get() as {
      value: string;
    }
  ).value;
  const sent = first.run([id]).catch(() => undefined);
  while ((await redisClient.hlen(cellJobsKey(workspace))) < cells.length) await sleep(20);
  const jobs = (await redisClient.hgetall(cellJobsKey(workspace))) as Record<string, string>;
  await first.close();
  await sent;
  const jobOf = (cell: number): string => jobs[String(cell)]!;
  const ws = open();
  const latency: number[] = [];
  let measuring = false;
  ws.hub.subscribe((e) => {
    if (measuring && e.type === 'progress') latency.push(Date.now() - e.metrics.time);
  });
  const step = (cellId: number, s: number, total: number): WorkerEvent => ({
    type: 'progress',
    phase: 'train',
    cellId,
    step: s,
    totalSteps: total,
    loss: 1 / s,
    promptLoss: null,
    completionLoss: null,
    lr: 1e-3,
    gradNorm: null,
    tokensPerSec: null,
    time: Date.now(),
  });
  // Bulk: cell 1's ROWS steps are in the stream before the app reads it again (it re-attaches
  // to the job it sent), in batches of 1000 (one XADD each, as a worker appends).
  const c1 = cells[0]!.id;
  const relay1 = new StreamRelay(
    redisClient,
    eventStreamKey(workspace),
    { job: jobOf(c1), run: 'bench1', worker: 'bench' },
    1_000_000,
  );
  const tp = Date.now();
  relay1.push({ type: 'checkpoint', cellId: c1, step: 0, dir: '/bench', loaded: true });
  for (let s = 1; s <= ROWS; s++) {
    relay1.push(step(c1, s, ROWS));
    if (s % 1000 === 0) await relay1.flush();
  }
  relay1.push({ type: 'done', cellId: c1 });
  await relay1.close();
  const produced = (Date.now() - tp) / 1000;
  const t0 = Date.now();
  const done = ws.run([id]);
  const d = new Database(db, { readonly: true });
  const stateOf = d.prepare<[number], { state: string }>('SELECT state FROM cells WHERE id = ?');
  while (stateOf.get(c1)!.state !== 'done') await sleep(5);
  const elapsed = (Date.now() - t0) / 1000;
  // Latency: cell 2 at 20 steps/s for 10 s, each step in its own batch (a worker's 100 ms batching
  // would add up to 100 ms; that is reported by the worker-side batch interval, not here).
  const c2 = cells[1]!.id;
  const relay2 = new StreamRelay(
    redisClient,
    eventStreamKey(workspace),
    {
      job: jobOf(c2),
      run: 'bench2',
      worker: 'bench',
    },
    100,
  );
  relay2.push({ type: 'checkpoint', cellId: c2, step: 0, dir: '/bench', loaded: true });
  measuring = true;
  for (let s = 1; s <= 200; s++) {
    relay2.push(step(c2, s, 200));
    await sleep(50);
  }
  relay2.push({ type: 'done', cellId: c2 });
  await relay2.close();
  while (stateOf.get(c2)!.state !== 'done') await sleep(5);
  measuring = false;
  d.close();
  // The other cells: finish them so the run ends.
  for (const c of cells.slice(2)) {
    const r = new StreamRelay(
      redisClient,
      eventStreamKey(workspace),
      {
        job: jobOf(c.id),
        run: 'x',
        worker: 'bench',
      },
      0,
    );
    r.push({ type: 'done', cellId: c.id });
    await r.close();
  }
  await done;
  await ws.close();
  redisClient.disconnect();
  return { rowsPerSec: ROWS / elapsed, produced, latency };
}

/** XADDs/s of one-event batches from `relays` concurrent appenders, for `seconds`. */
async function smallAppends(redis: TestRedis, relays: number, seconds: number): Promise<number> {
  const client = connectRedis(parseRedisUrl(redis.url));
  const key = 'plw:bench:small-appends';
  const event = JSON.stringify([
    { type: 'progress', phase: 'train', cellId: 1, step: 1, totalSteps: 100, loss: 1, time: 0 },
  ]);
  let count = 0;
  const until = Date.now() + seconds * 1000;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: relays }, async (_, r) => {
      while (Date.now() < until) {
        await client.xadd(key, '*', 'job', `j${r}`, 'run', 'r', 'worker', 'w', 'events', event);
        count++;
      }
    }),
  );
  const rate = count / ((Date.now() - t0) / 1000);
  await client.del(key);
  client.disconnect();
  return rate;
}

/**
 * How many workers one app and one Redis serve, on paper. Each training worker appends one
 * batch per 100 ms (StreamRelay) and one metric row per optimizer step; BullMQ adds a lock
 * renewal per running job every 15 s and a stalled-jobs check per worker every 30 s, ~0.1
 * commands/s per worker, negligible beside the appends.
 */
function scaling(rowsPerSec: number, xaddPerSec: number): string[] {
  const byRedis = Math.floor(xaddPerSec / 10);
  const lines = [
    `scaling on paper: Redis takes ${Math.round(xaddPerSec).toLocaleString('en')} small XADDs/s (appendfsync always); a worker appends at most 10/s (one batch per 100 ms), so ~${byRedis.toLocaleString('en')} busy workers before Redis's appends are the bottleneck`,
  ];
  for (const stepsPerSec of [1, 10, 50]) {
    const byIngest = Math.floor(rowsPerSec / stepsPerSec);
    lines.push(
      `  workers at ${stepsPerSec} optimizer steps/s each: ingest allows ${byIngest.toLocaleString('en')}, so ${Math.min(byIngest, byRedis).toLocaleString('en')} (${byIngest < byRedis ? 'ingest' : 'Redis appends'} first)`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const redis = await TestRedis.start();
  try {
    console.log(
      `load average before: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    const { rowsPerSec, produced, latency } = await ingest(redis);
    console.log(
      `  (one producer appending them, XADD with appendfsync always: ${Math.round(ROWS / produced).toLocaleString('en')} rows/s)`,
    );
    console.log(
      `ingest through Redis: ${ROWS} rows waiting in the stream in batches of 1000, read and written to SQLite by the app: ${Math.round(rowsPerSec).toLocaleString('en')} rows/s (goal >= 100,000)`,
    );
    console.log(`event -> UI (hub subscriber) at 20 steps/s: ${fmt(latency)} (goal p95 <= 500 ms)`);
    const xaddPerSec = await smallAppends(redis, 64, 3);
    for (const line of scaling(rowsPerSec, xaddPerSec)) console.log(line);
    if (!args.includes('--skip-cells')) {
      console.log(`per-cell overhead, ${CELLS} cells of ${STEPS} steps (tiny-byte):`);
      console.log(`  ${localRun()}`);
      for (const w of [1, 2, 4]) console.log(`  ${await queueRun(redis, w)}`);
    }
    console.log(
      `load average after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await redis.stop();
  }
}

await main();
