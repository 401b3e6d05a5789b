/**
 * `plw worker --queue URL`: takes cell jobs from the BullMQ queue and runs each on a fresh
 * forked worker process (the same entry and training code as local mode), relaying the cell's
 * events to the workspace's Redis stream in batches. It never opens a database. The forked
 * process resolves the job's references on this host (src-worker/refs.ts) against this
 * worker's site: its name, --artifacts, --allow folders and built-in names.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Worker, type Job } from 'bullmq';
import type { WorkerHello, WorkerSite } from '../../../src-shared/protocol';
import type { WorkerHost } from '../../workers/host';
import { bullConnection, connectRedis } from '../connection';
import { CONTROL_CHANNEL, QUEUE_NAME, WORKERS_KEY } from '../protocol';
import { processCellJob, type JobContext } from './process-job';
import { redact, type RedisTarget } from '../url';

/** Names a worker resolves itself: its own model presets and demo datasets. */
export interface WorkerBuiltins {
  models: readonly string[];
  /** Demo dataset name → file of this installation. */
  datasets: Readonly<Record<string, string>>;
}

export interface QueueWorkerOptions {
  target: RedisTarget;
  name: string;
  concurrency: number;
  /** Checkpoints go to `<artifacts>/<workspace>/cell-<id>/`; shared folders let cells resume. */
  artifacts: string;
  /** Folders jobs may name, resolved through symlinks (src-worker/files.ts allowRoots). */
  allow: readonly string[];
  /** What this worker says when it opens: registered in Redis for the apps' Workers pages. */
  hello: WorkerHello;
  builtins: WorkerBuiltins;
  host: WorkerHost;
  log: (line: string) => void;
  /** BullMQ lock duration and stalled-check interval (ms); short in tests. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Events wait at most this long before their batch is appended to the stream. */
  batchMs?: number;
}

export interface RunningQueueWorker {
  /** Running cells checkpoint and go back to the queue; resolves when the worker has left. */
  stop(): Promise<void>;
}

const DEFAULT_LOCK_MS = 30_000;

/** The worker's name: `--name`, else `<host>-<pid>`. */
export function defaultWorkerName(): string {
  return `${hostname()}-${process.pid}`;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningQueueWorker> {
  const artifacts = resolve(o.artifacts);
  const site: WorkerSite = {
    name: o.name,
    artifacts,
    allow: [...o.allow],
    datasets: { ...o.builtins.datasets },
    models: [...o.builtins.models],
    allowCommands: o.hello.allowCommands === true,
  };
  const secret = o.target.password;
  const say = (line: string): void => o.log(redact(line, secret));
  const redis = connectRedis(o.target);
  const control = connectRedis(o.target);
  redis.on('error', (err: Error) => say(`redis: ${err.message}`));
  control.on('error', () => undefined);
  let stopping = false;

  const context: JobContext = {
    name: o.name,
    site,
    host: o.host,
    redis,
    say,
    stopping: () => stopping,
    batchMs: o.batchMs ?? 100,
  };
  const processor = (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> =>
    processCellJob(context, job, token, signal);

  const lockDuration = o.lockDurationMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: bullConnection(o.target),
    concurrency: o.concurrency,
    name: o.name,
    lockDuration,
    stalledInterval: o.stalledIntervalMs ?? lockDuration,
    maxStalledCount: 2,
  });
  worker.on('error', (err: Error) => say(`queue: ${err.message}`));
  await worker.waitUntilReady();
  await redis.hset(WORKERS_KEY, o.name, JSON.stringify(o.hello));

  // Pause / cancel of a running cell: the app names the job; the one worker holding it aborts.
  await control.subscribe(CONTROL_CHANNEL);
  control.on('message', (_channel: string, jobId: string) => {
    if (worker.cancelJob(jobId, 'stopped by the app')) say(`job ${jobId}: stopped by the app`);
  });

  return {
    async stop() {
      stopping = true;
      worker.cancelAllJobs('worker stopping');
      await worker.close();
      await redis.hdel(WORKERS_KEY, o.name).catch(() => undefined);
      control.disconnect();
      await redis.quit().catch(() => undefined);
    },
  };
}
