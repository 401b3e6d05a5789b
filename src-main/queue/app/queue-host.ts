/**
 * The queue WorkerHost: the Scheduler's seam (workers/host.ts) backed by a BullMQ queue on
 * Redis. `spawn` gives a handle whose `start` enqueues one job per cell attempt and whose
 * messages are the cell's events, read back from the workspace's persisted Redis stream. The
 * stream is read in batches; each batch is ingested and the read position stored in the same
 * SQLite transaction (`commit`), and only then trimmed, so every event is ingested once even
 * when the app was closed while workers trained.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CellSpec, WorkerHello } from '../../../src-shared/protocol';
import type { SinkEvent } from '../../events/metrics-sink';
import type { Builtins } from '../../sweeps/load';
import type { WorkerHandle, WorkerHost } from '../../workers/host';
import { sharedRefs, type HashPath } from '../../workers/refs';
import { bullConnection, connectRedis, readStream, type StreamEntry } from '../connection';
import {
  cellJobsKey,
  CONTROL_CHANNEL,
  eventStreamKey,
  JOB_ATTEMPTS,
  jobIdFor,
  parseEventBatch,
  parseJobId,
  QUEUE_NAME,
  type CellJob,
  type EventBatch,
  type JobOfCell,
} from '../protocol';
import { redact, type RedisTarget } from '../url';
import { RemoteCell } from './remote-cell';
import { WorkerRegistry } from './worker-registry';

export interface QueueHostOptions {
  target: RedisTarget;
  /** This workspace's id (queue_state): names its stream, its jobs and its checkpoints. */
  workspace: string;
  /** Stream id of the last entry already ingested ('0-0' for none). */
  cursor: string;
  /**
   * Runs `apply` (which hands the batch's events to their cells) and stores `lastId` as the
   * new cursor, in one SQLite transaction that also writes everything `apply` produced.
   */
  commit: (apply: () => void, lastId: string) => void;
  /**
   * A job no live cell of this process waits for (its cell runs on a worker while this process
   * runs other sweeps): why its events may not be written to its cell, or null when they may.
   */
  orphanRefusal: (job: JobOfCell) => string | null;
  /** When the app claimed the cell's current attempt (its `started_at`): part of its job id. */
  claimedAt: (cellId: number) => number;
  /** An event of such a job, accepted: ingested as it comes. */
  orphan: (event: SinkEvent) => void;
  /** A cell's job began a run on `worker` (called inside `commit`). */
  onRun?: (cellId: number, worker: string) => void;
  /** A batch of `worker`'s events was read (called inside `commit`): when it was last heard from. */
  onBatch?: (worker: string) => void;
  /**
   * The workers registered on the queue (their hellos, validated) and the names BullMQ lists as
   * connected to it, read every `registryMs`.
   */
  onWorkers?: (hellos: WorkerHello[], connected: ReadonlySet<string>) => void;
  registryMs?: number;
  builtins: Builtins;
  /** sha256 of the files jobs name (a worker checks its copy against it). */
  hashPath: HashPath;
  log: (line: string) => void;
  /** Entries read per XREAD. */
  batchSize?: number;
}

/** A job whose failure BullMQ reported: delivered as the cell's error unless the stream has one. */
interface PendingFailure {
  reason: string;
}

export class QueueHost implements WorkerHost {
  readonly kind = 'queue';
  readonly recordsItsWorkers = true;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly reader: Redis;
  private readonly byJob = new Map<string, RemoteCell>();
  /** Runs of the jobs no live cell waits for: the newest wins, as for a live cell. */
  private readonly orphanRuns = new Map<string, { current: string; seen: Set<string> }>();
  private readonly failures = new Map<string, PendingFailure>();
  private readonly enqueues = new Set<Promise<void>>();
  private readonly registry: WorkerRegistry;
  private cursor: string;
  private loop: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: QueueHostOptions) {
    this.cursor = o.cursor;
    const connection = bullConnection(o.target);
    this.queue = new Queue(QUEUE_NAME, { connection });
    this.events = new QueueEvents(QUEUE_NAME, { connection });
    this.redis = connectRedis(o.target);
    this.reader = connectRedis(o.target);
    this.registry = new WorkerRegistry(this.redis, this.queue, (line) => this.say(line));
    const quiet = (err: Error): void => this.say(`redis: ${err.message}`);
    this.queue.on('error', quiet);
    this.events.on('error', quiet);
    this.redis.on('error', () => undefined);
    this.reader.on('error', () => undefined);
    // A job BullMQ gave up on (retries spent, stalled too often) whose worker could not say so.
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (this.byJob.has(jobId)) this.failures.set(jobId, { reason: failedReason });
    });
  }

  spawn(): WorkerHandle {
    return new RemoteCell(this);
  }

  /** Starts reading the stream (idempotent); the app calls it once its cells are started. */
  start(): void {
    this.loop ??= this.readLoop();
  }

  /** Stops reading; running jobs go on on their workers. */
  async close(): Promise<void> {
    this.closed = true;
    this.reader.disconnect();
    await this.loop?.catch(() => undefined);
    await Promise.allSettled([...this.enqueues]);
    await Promise.allSettled([this.queue.close(), this.events.close()]);
    await this.redis.quit().catch(() => undefined);
  }

  private say(line: string): void {
    this.o.log(redact(line, this.o.target.password));
  }

  /** Enqueues (or re-attaches to) the cell's job; the handle then receives its events. */
  enqueue(cell: RemoteCell, spec: CellSpec): void {
    const p = this.doEnqueue(cell, spec).catch((err: unknown) => {
      cell.exit(`cannot enqueue: ${redact(String(err), this.o.target.password)}`);
    });
    this.enqueues.add(p);
    void p.finally(() => this.enqueues.delete(p));
    this.start();
  }

  private async doEnqueue(cell: RemoteCell, spec: CellSpec): Promise<void> {
    const ws = this.o.workspace;
    const key = cellJobsKey(ws);
    const pending = await this.redis.hget(key, String(spec.cellId));
    if (pending !== null) {
      const job = await this.queue.getJob(pending);
      const data = job?.data as CellJob | undefined;
      if (job !== undefined && data !== undefined && data.attempt < spec.attempt) {
        // The app stopped while this job was queued or running: it went on without us.
        this.attach(cell, pending);
        const state = await job.getState();
        cell.deliverLocal({
          type: 'log',
          cellId: spec.cellId,
          level: 'info',
          message: `re-attached to job ${pending} (${state}) left by the previous run of the app`,
        });
        if (state === 'failed') this.failures.set(pending, { reason: job.failedReason });
        return;
      }
    }
    const id = jobIdFor(ws, spec.sweepId, spec.cellId, spec.attempt, this.o.claimedAt(spec.cellId));
    const old = await this.queue.getJob(id);
    if (old !== undefined) {
      const state = await old.getState();
      if (state !== 'completed' && state !== 'failed') {
        this.attach(cell, id);
        return;
      }
      // A retry that reset the cell's attempts: the old run of this id is over; run it anew.
      await old.remove();
    }
    const data: CellJob = {
      v: 1,
      workspace: ws,
      cellId: spec.cellId,
      sweepId: spec.sweepId,
      attempt: spec.attempt,
      ...(await sharedRefs(spec, this.o.builtins, this.o.hashPath)),
      plw: spec.plw,
      seed: spec.seed,
      ...(spec.evalSeed === undefined ? {} : { evalSeed: spec.evalSeed }),
      train: spec.train,
      resumeStep: spec.resumeStep,
      ...(spec.engine === undefined ? {} : { engine: spec.engine }),
    };
    await this.redis.hset(key, String(spec.cellId), id);
    this.attach(cell, id);
    await this.queue.add('cell', data, {
      jobId: id,
      attempts: JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  private attach(cell: RemoteCell, jobId: string): void {
    cell.jobId = jobId;
    this.byJob.set(jobId, cell);
  }

  /** Pause or cancel: a queued job is removed; a running one is asked to stop on its worker. */
  async stop(cell: RemoteCell): Promise<void> {
    await Promise.allSettled([...this.enqueues]);
    if (cell.jobId === null) return cell.exit('stopped before it was queued');
    const job = await this.queue.getJob(cell.jobId);
    if (job === undefined) return cell.exit('its job is gone from the queue');
    // A worker that takes the job later (after a stall) sees the mark and skips it.
    await job.updateData({ ...(job.data as CellJob), cancelled: true }).catch(() => undefined);
    try {
      await job.remove();
      this.conclude(cell);
      cell.exit('removed from the queue');
      return;
    } catch {
      // Locked by the worker running it.
    }
    await this.redis.publish(CONTROL_CHANNEL, cell.jobId);
  }

  /** The app no longer waits for this cell's job (it goes on on its worker). */
  detach(cell: RemoteCell): void {
    if (cell.jobId !== null && this.byJob.get(cell.jobId) === cell) this.byJob.delete(cell.jobId);
  }

  /** The cell's attempt is over for the app: forget its job mapping. */
  conclude(cell: RemoteCell): void {
    this.detach(cell);
    if (cell.jobId !== null) {
      void this.redis
        .hget(cellJobsKey(this.o.workspace), String(cell.cellId))
        .then((id) =>
          id === cell.jobId
            ? this.redis.hdel(cellJobsKey(this.o.workspace), String(cell.cellId))
            : 0,
        )
        .catch(() => undefined);
    }
  }

  private async readLoop(): Promise<void> {
    const key = eventStreamKey(this.o.workspace);
    let registryAt = 0;
    while (!this.closed) {
      if (
        this.o.onWorkers !== undefined &&
        Date.now() - registryAt >= (this.o.registryMs ?? 2000)
      ) {
        registryAt = Date.now();
        await this.registry
          .read()
          .then(({ hellos, connected }) => this.o.onWorkers?.(hellos, connected))
          .catch(() => undefined);
      }
      // Events of a cell must find its handle: wait until every enqueue has attached.
      await Promise.allSettled([...this.enqueues]);
      let entries;
      try {
        entries = await readStream(this.reader, key, this.cursor, this.o.batchSize ?? 2000, 500);
      } catch (err) {
        if (this.closed) return;
        this.say(`reading ${key}: ${err instanceof Error ? err.message : String(err)}; retrying`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (entries !== null && entries.length > 0) {
        const lastId = entries.at(-1)![0];
        const settled: RemoteCell[] = [];
        try {
          this.ingest(entries, settled, lastId);
        } catch (err) {
          this.say(
            `ingesting stream entries up to ${lastId} failed: ${err instanceof Error ? err.message : String(err)}; ` +
              'they stay in Redis and are read again when the workspace opens next',
          );
          return;
        }
        this.cursor = lastId;
        for (const c of settled) this.conclude(c);
        // Trimmed only now that SQLite holds everything up to lastId.
        await this.redis.xtrim(key, 'MINID', lastId).catch(() => undefined);
      }
      // Failures BullMQ reported without a stream error: the stream is read up to now.
      for (const [jobId, f] of this.failures) {
        this.failures.delete(jobId);
        const cell = this.byJob.get(jobId);
        if (cell === undefined || cell.settled) continue;
        this.o.commit(
          () => cell.failWith(`job ${jobId} failed on the queue: ${f.reason}`),
          this.cursor,
        );
        this.conclude(cell);
      }
    }
  }

  /** One SQLite transaction: the entries' events to their cells, and the new read position. */
  private ingest(entries: StreamEntry[], settled: RemoteCell[], lastId: string): void {
    this.o.commit(() => {
      for (const [id, fields] of entries) {
        const entry = parseEventBatch(fields);
        const refused = 'refused' in entry ? entry.refused : this.dispatch(entry.batch, settled);
        // Nothing of it is written; the read position moves past it with the others.
        if (refused !== null) this.say(`stream entry ${id} skipped: ${refused}`);
      }
    }, lastId);
  }

  /**
   * Hands a batch to the cell of the job that carried it, or says why not: its events must all
   * name that job's cell, and its run and attempt must be current.
   */
  private dispatch(batch: EventBatch, settled: RemoteCell[]): string | null {
    const cell = this.byJob.get(batch.job);
    const refused = cell === undefined ? this.orphanRefusal(batch) : cell.refusal(batch);
    if (refused !== null) return refused;
    this.o.onBatch?.(batch.worker);
    if (cell === undefined) {
      for (const e of batch.events) if (e.type !== 'done' && e.type !== 'error') this.o.orphan(e);
    } else if (cell.deliver(batch, this.o.onRun)) {
      settled.push(cell);
    }
    return null;
  }

  private orphanRefusal(batch: EventBatch): string | null {
    const job = parseJobId(batch.job);
    if (job === null || job.workspace !== this.o.workspace) {
      return `job ${batch.job} is no job of this workspace`;
    }
    const foreign = batch.events.find((e) => e.cellId !== job.cellId);
    if (foreign !== undefined) {
      return `job ${batch.job} runs cell ${job.cellId}, but an event names cell ${foreign.cellId}`;
    }
    const refused = this.o.orphanRefusal(job);
    if (refused !== null) return `job ${batch.job}: ${refused}`;
    const runs = this.orphanRuns.get(batch.job);
    if (runs === undefined) {
      this.orphanRuns.set(batch.job, { current: batch.run, seen: new Set([batch.run]) });
    } else if (runs.current !== batch.run) {
      if (runs.seen.has(batch.run)) return `job ${batch.job}: run ${batch.run} was superseded`;
      runs.seen.add(batch.run);
      runs.current = batch.run;
    }
    return null;
  }
}
