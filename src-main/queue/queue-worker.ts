/**
 * `plw worker --queue URL`: takes cell jobs from the BullMQ queue and runs each on a fresh
 * forked worker process (the same entry and training code as local mode), relaying the cell's
 * events to the workspace's Redis stream in batches. It never opens a database.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { toErrorData } from '../../src-shared/errors';
import type { CellSpec, WorkerEvent } from '../../src-shared/protocol';
import { CellFailedError, runCell, WorkerExitedError, type WorkerHost } from '../workers/host';
import { bullConnection, connectRedis } from './connection';
import { allowRoots, checkJobFile, isAllowed } from './files';
import {
  cellJobSchema,
  CONTROL_CHANNEL,
  eventStreamKey,
  JOB_ATTEMPTS,
  QUEUE_NAME,
  type CellJob,
  type FileRef,
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
  /** Folders jobs may name (the artifacts folder is always added). */
  allow: readonly string[];
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
  const roots = allowRoots([...o.allow, o.artifacts]);
  const artifacts = resolve(o.artifacts);
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
    let spec: CellSpec;
    try {
      spec = toCellSpec(data, job, o, roots, artifacts);
    } catch (err) {
      const message = toErrorData(err).message;
      say(`cell ${data.cellId}: ${message}`);
      return fail(message, 'bad_input');
    }
    say(
      `cell ${data.cellId} (job ${job.id}) started${spec.resumeStep === null ? '' : `, resuming`}`,
    );
    const handle = o.host.spawn({ env: {} });
    const onAbort = (): void => handle.send({ type: 'cancel' });
    signal?.addEventListener('abort', onAbort, { once: true });
    let lastProgress = 0;
    try {
      await runCell(handle, spec, (e) => {
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
      return fail(
        `worker ${o.name}: ${message}`,
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
      control.disconnect();
      await redis.quit().catch(() => undefined);
    },
  };
}

/** The job's references resolved on this host: built-in names, or checked files. */
function toCellSpec(
  data: CellJob,
  job: Job,
  o: QueueWorkerOptions,
  roots: readonly string[],
  artifacts: string,
): CellSpec {
  const file = (ref: FileRef, kind: 'model' | 'dataset' | 'benchmark'): string => {
    if ('builtin' in ref) {
      if (kind === 'model' && o.builtins.models.includes(ref.builtin)) return ref.builtin;
      const own = Object.hasOwn(o.builtins.datasets, ref.builtin)
        ? o.builtins.datasets[ref.builtin]
        : undefined;
      if (kind !== 'model' && own !== undefined) return own;
      throw new UnrecoverableError(`worker ${o.name}: no built-in ${kind} named "${ref.builtin}"`);
    }
    checkJobFile(o.name, ref.path, ref.sha256, roots);
    return ref.path;
  };
  const checkpointDir = join(artifacts, data.workspace, `cell-${data.cellId}`);
  if (!isAllowed(checkpointDir, roots)) {
    throw new UnrecoverableError(`worker ${o.name}: refused ${checkpointDir}: outside --allow`);
  }
  // A job taken again (stalled, retried, returned by Ctrl-C) resumes from whatever checkpoint
  // this host's artifacts folder holds; a fresh job follows the app's record.
  const retaken = (job.attemptsStarted ?? 0) > 1 || job.attemptsMade > 0;
  return {
    cellId: data.cellId,
    sweepId: data.sweepId,
    model: file(data.model, 'model'),
    dataset: file(data.dataset, 'dataset'),
    plw: data.plw,
    seed: data.seed,
    train: data.train,
    benchmarks: data.benchmarks.map((b) => ({
      task: b.task,
      ...(b.data === undefined ? {} : { data: file(b.data, 'benchmark') }),
      ...(b.shots === undefined ? {} : { shots: b.shots }),
      ...(b.limit === undefined ? {} : { limit: b.limit }),
    })),
    checkpointDir,
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
