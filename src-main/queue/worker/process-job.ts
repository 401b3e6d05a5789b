/**
 * What `plw worker` does with one BullMQ job: validate it, run its cell on a fresh forked
 * process, relay the cell's events to the workspace's stream, and end the job one of five ways
 * (`JobEnd`): done, failed (the cell's error, or a crash with no retry left), retried by BullMQ
 * (a crash), returned to the queue (this worker stops), or cancelled (the app asked).
 */
import { randomBytes } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CellSpec, WorkerSite } from '../../../src-shared/protocol';
import { CellFailedError, runCell, WorkerExitedError, type WorkerHost } from '../../workers/host';
import { sharedCheckpoint } from '../../workers/refs';
import { cellJobSchema, eventStreamKey, JOB_ATTEMPTS, type CellJob } from '../protocol';
import { StreamRelay } from './stream-relay';

export interface JobContext {
  name: string;
  site: WorkerSite;
  host: WorkerHost;
  redis: Redis;
  say: (line: string) => void;
  /** True once this worker is stopping (Ctrl-C): its running cells go back to the queue. */
  stopping: () => boolean;
  batchMs: number;
}

type ErrorCode = 'bad_input' | 'cancelled' | 'run_failed';

/** How a job's run ended, after the cell's process stopped. */
type JobEnd =
  | { kind: 'done' }
  | { kind: 'returned' }
  | { kind: 'cancelled' }
  | { kind: 'retried'; err: WorkerExitedError }
  | { kind: 'failed'; message: string; code: ErrorCode };

/** The BullMQ processor of `plw worker`. */
export async function processCellJob(
  c: JobContext,
  job: Job,
  token?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const parsed = cellJobSchema.safeParse(job.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const why = `worker ${c.name}: job ${job.id} rejected: field "${issue.path.join('.')}": ${issue.message}`;
    c.say(why);
    await reportRejected(c.redis, job, c.name, why);
    throw new UnrecoverableError(why);
  }
  const data = parsed.data;
  const relay = new StreamRelay(
    c.redis,
    eventStreamKey(data.workspace),
    { job: job.id!, run: randomBytes(6).toString('hex'), worker: c.name },
    c.batchMs,
  );
  const end: JobEnd =
    data.cancelled === true ? { kind: 'cancelled' } : await runJobCell(c, job, data, relay, signal);
  const cellId = data.cellId;
  switch (end.kind) {
    case 'done':
      relay.push({ type: 'done', cellId });
      await relay.close();
      c.say(`cell ${cellId} done`);
      return { worker: c.name };
    case 'returned':
      // Ctrl-C: the cell has checkpointed; it goes back to the queue for another worker.
      relay.push({
        type: 'log',
        cellId,
        level: 'warn',
        message: `worker ${c.name} stopped; the cell goes back to the queue`,
      });
      await relay.close();
      await job.moveToDelayed(Date.now() + 500, token);
      c.say(`cell ${cellId} checkpointed and returned to the queue`);
      throw new DelayedError();
    case 'retried':
      // A crashed process (not a cell error): BullMQ retries the job with backoff.
      relay.push({
        type: 'log',
        cellId,
        level: 'warn',
        message: `worker ${c.name}: ${end.err.message}; BullMQ retries the cell`,
      });
      await relay.close();
      c.say(`cell ${cellId}: ${end.err.message}; retrying`);
      throw end.err;
    case 'cancelled':
      return fail(relay, cellId, 'cancelled', 'cancelled');
    case 'failed':
      c.say(`cell ${cellId} failed: ${end.message}`);
      return fail(relay, cellId, end.message, end.code);
  }
}

/** Reports the cell's error on the stream; BullMQ does not retry the job. */
async function fail(
  relay: StreamRelay,
  cellId: number,
  message: string,
  code: ErrorCode,
): Promise<never> {
  relay.push({ type: 'error', cellId, error: { code, message } });
  await relay.close();
  throw new UnrecoverableError(message);
}

/** Runs the job's cell on a fresh process of `c.host`, relaying its events; says how it ended. */
async function runJobCell(
  c: JobContext,
  job: Job,
  data: CellJob,
  relay: StreamRelay,
  signal: AbortSignal | undefined,
): Promise<JobEnd> {
  const spec = toCellSpec(data, job);
  c.say(
    `cell ${data.cellId} (job ${job.id}) started${spec.resumeStep === null ? '' : `, resuming`}`,
  );
  const handle = c.host.spawn({ env: {} });
  const onAbort = (): void => handle.send({ type: 'cancel' });
  signal?.addEventListener('abort', onAbort, { once: true });
  let lastProgress = 0;
  try {
    await runCell(handle, spec, c.site, (e) => {
      relay.push(e);
      if (e.type === 'progress' && e.phase === 'train' && Date.now() - lastProgress > 1000) {
        lastProgress = Date.now();
        void job.updateProgress({ step: e.step, totalSteps: e.totalSteps }).catch(() => undefined);
      }
    });
    return { kind: 'done' };
  } catch (err) {
    if (signal?.aborted === true) return { kind: c.stopping() ? 'returned' : 'cancelled' };
    if (err instanceof WorkerExitedError && job.attemptsMade + 1 < JOB_ATTEMPTS) {
      return { kind: 'retried', err };
    }
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof CellFailedError ? err.error.code : 'run_failed';
    // A reference that did not resolve here already names this worker (src-worker/refs.ts).
    const named = message.startsWith(`worker ${c.name}: `);
    return {
      kind: 'failed',
      message: named ? message : `worker ${c.name}: ${message}`,
      code: code === 'cancelled' ? 'cancelled' : code === 'bad_input' ? 'bad_input' : 'run_failed',
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    handle.kill();
  }
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
    ...(data.engine === undefined ? {} : { engine: data.engine }),
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
    { job: job.id!, run: randomBytes(6).toString('hex'), worker },
    0,
  );
  relay.push({ type: 'error', cellId: d.cellId, error: { code: 'bad_input', message } });
  await relay.close();
}
