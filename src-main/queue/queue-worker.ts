/**
 * `plw worker --queue URL`: takes cell jobs from the BullMQ queue and runs each on a fresh
 * forked worker process (the same entry and training code as local mode), relaying the cell's
 * events to the workspace's Redis stream in batches. It never opens a database. The forked
 * process resolves the job's references on this host (src-worker/refs.ts) against this
 * worker's site: its name, --artifacts, --allow folders and built-in names.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CellSpec, WorkerEvent, WorkerHello, WorkerSite } from '../../src-shared/protocol';
import { CellFailedError, runCell, WorkerExitedError, type WorkerHost } from '../workers/host';
import { sharedCheckpoint } from '../workers/refs';
import { bullConnection, connectRedis } from './connection';
import {
  cellJobSchema,
  CONTROL_CHANNEL,
  eventStreamKey,
  JOB_ATTEMPTS,
  QUEUE_NAME,
  WORKERS_KEY,
  type CellJob,
} from './protocol';
import { redact, type RedisTarget } from './url';

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
  };
  const secret = o.target.password;
  const say = (line: string): void => o.log(redact(line, secret));
  const redis = connectRedis(o.target);
  const control = connectRedis(o.target);
  redis.on('error', (err: Error) => say(`redis: ${err.message}`));
  control.on('error', () => undefined);
  let stopping = false;

  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    const parsed = cellJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const why = `worker ${o.name}: job ${job.id} rejected: field "${issue.path.join('.')}": ${issue.message}`;
      say(why);
      await reportRejected(redis, job, o.name, why);
      throw new UnrecoverableError(why);
    }
    const data = parsed.data;
    const relay = new StreamRelay(
      redis,
      eventStreamKey(data.workspace),
      {
        job: job.id!,
        run: randomBytes(6).toString('hex'),
        worker: o.name,
      },
      o.batchMs ?? 100,
    );
    const fail = async (
      message: string,
      code: 'bad_input' | 'cancelled' | 'run_failed',
    ): Promise<never> => {
      relay.push({ type: 'error', cellId: data.cellId, error: { code, message } });
      await relay.close();
      throw new UnrecoverableError(message);
    };
    if (data.cancelled === true) return fail('cancelled', 'cancelled');
    const spec = toCellSpec(data, job);
    say(
      `cell ${data.cellId} (job ${job.id}) started${spec.resumeStep === null ? '' : `, resuming`}`,
    );
    const handle = o.host.spawn({ env: {} });
    const onAbort = (): void => handle.send({ type: 'cancel' });
    signal?.addEventListener('abort', onAbort, { once: true });
    let lastProgress = 0;
    try {
      await runCell(handle, spec, site, (e) => {
        relay.push(e);
        if (e.type === 'progress' && e.phase === 'train' && Date.now() - lastProgress > 1000) {
          lastProgress = Date.now();
          void job
            .updateProgress({ step: e.step, totalSteps: e.totalSteps })
            .catch(() => undefined);
        }
      });
      relay.push({ type: 'done', cellId: data.cellId });
      await relay.close();
      say(`cell ${data.cellId} done`);
      return { worker: o.name };
    } catch (err) {
      if (stopping && signal?.aborted === true) {
        // Ctrl-C: the cell has checkpointed; it goes back to the queue for another worker.
        relay.push({
          type: 'log',
          cellId: data.cellId,
          level: 'warn',
          message: `worker ${o.name} stopped; the cell goes back to the queue`,
        });
        await relay.close();
        await job.moveToDelayed(Date.now() + 500, token);
        say(`cell ${data.cellId} checkpointed and returned to the queue`);
        throw new DelayedError();
      }
      if (signal?.aborted === true) return fail('cancelled', 'cancelled');
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof WorkerExitedError && job.attemptsMade + 1 < JOB_ATTEMPTS) {
        // A crashed process (not a cell error): BullMQ retries the job with backoff.
        relay.push({
          type: 'log',
          cellId: data.cellId,
          level: 'warn',
          message: `worker ${o.name}: ${message}; BullMQ retries the cell`,
        });
        await relay.close();
        say(`cell ${data.cellId}: ${message}; retrying`);
        throw err;
      }
      say(`cell ${data.cellId} failed: ${message}`);
      const code = err instanceof CellFailedError ? err.error.code : 'run_failed';
      // A reference that did not resolve here already names this worker (src-worker/refs.ts).
      const named = message.startsWith(`worker ${o.name}: `);
      return fail(
        named ? message : `worker ${o.name}: ${message}`,
        code === 'cancelled' ? 'cancelled' : code === 'bad_input' ? 'bad_input' : 'run_failed',
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
      handle.kill();
    }
  };

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

/**
 * The job as a CellSpec: its references go to the forked process as they are (it resolves them
 * on this host), the checkpoint folder is the cell's under --artifacts.
 */
function toCellSpec(data: CellJob, job: Job): CellSpec {
  // A job taken again (stalled, retried, returned by Ctrl-C) resumes from whatever checkpoint
  // this host's artifacts folder holds; a fresh job follows the app's record.
  const retaken = (job.attemptsStarted ?? 0) > 1 || job.attemptsMade > 0;
  return {
    cellId: data.cellId,
    sweepId: data.sweepId,
    model: data.model,
    dataset: data.dataset,
    plw: data.plw,
    seed: data.seed,
    ...(data.evalSeed === undefined ? {} : { evalSeed: data.evalSeed }),
    train: data.train,
    benchmarks: data.benchmarks,
    checkpoint: sharedCheckpoint(data.workspace, data.cellId),
    resumeStep: retaken ? (data.resumeStep ?? 0) : data.resumeStep,
    attempt: data.attempt,
  };
}

/** A job that failed validation still tells its app, when it names a valid workspace and cell. */
async function reportRejected(
  redis: Redis,
  job: Job,
  worker: string,
  message: string,
): Promise<void> {
  const d = job.data as { workspace?: unknown; cellId?: unknown };
  if (typeof d.workspace !== 'string' || !/^[0-9a-f]{16,64}$/.test(d.workspace)) return;
  if (typeof d.cellId !== 'number' || !Number.isInteger(d.cellId)) return;
  const relay = new StreamRelay(
    redis,
    eventStreamKey(d.workspace),
    {
      job: job.id!,
      run: randomBytes(6).toString('hex'),
      worker,
    },
    0,
  );
  relay.push({ type: 'error', cellId: d.cellId, error: { code: 'bad_input', message } });
  await relay.close();
}

/**
 * Appends a job run's events to the stream in batches (one XADD per `batchMs`), in order. A
 * failed append (Redis restarting) is retried by ioredis once it reconnects.
 */
export class StreamRelay {
  private pending: WorkerEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly tag: { job: string; run: string; worker: string },
    private readonly batchMs: number,
  ) {}

  push(event: WorkerEvent): void {
    this.pending.push(event);
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.batchMs);
  }

  /** Appends what is pending; resolves once every batch so far is in the stream. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length > 0) {
      const batch = JSON.stringify(this.pending);
      this.pending = [];
      const t = this.tag;
      this.chain = this.chain.then(async () => {
        await this.redis.xadd(
          this.key,
          '*',
          'job',
          t.job,
          'run',
          t.run,
          'worker',
          t.worker,
          'events',
          batch,
        );
      });
    }
    return this.chain;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
