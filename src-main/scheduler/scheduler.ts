import type { CellState } from '../../src-shared/api';
import type { CellSpec, WorkerEvent, WorkerSite } from '../../src-shared/protocol';
import type { EventHub } from '../events/event-hub';
import type { MetricsSink } from '../events/metrics-sink';
import { checkpointsRoot } from '../store/paths';
import type { Store } from '../store/store';
import type { SweepRepository } from '../sweeps/repository';
import type { Hardware } from '../workers/concurrency';
import { workerEnv } from '../workers/concurrency';
import {
  CellFailedError,
  runCell,
  WorkerExitedError,
  type WorkerHandle,
  type WorkerHost,
} from '../workers/host';
import { localCheckpoint, localModel } from '../workers/refs';
import type { CellStates } from '../sweeps/cell-states';
import { externalEngine, stopGraceMs } from '../sweeps/engine';

export interface SchedulerOptions {
  workers: number;
  hardware: Hardware;
  /** Starts of a cell before a crashing one is marked failed (crashes only, not errors). */
  maxAttempts?: number;
  /** How long a cancelled worker may take to stop by itself before it is killed. */
  cancelGraceMs?: number;
}

/** What a running cell becomes once its worker has stopped on request (queued: shutdown). */
type StopIntent = 'cancelled' | 'paused' | 'queued';

interface Running {
  cellId: number;
  sweepId: number;
  handle: WorkerHandle;
  stop: StopIntent | null;
  /** How long a stop may take before the worker is killed (an external trainer's grace). */
  graceMs: number;
}

export type CellAction = 'pause' | 'resume' | 'cancel' | 'retry';

/**
 * Runs queued cells on up to `workers` worker processes at once, one fresh process per cell
 * attempt, and drives each cell's state machine from what its worker reports. A cell whose
 * worker reports an error fails alone; one whose worker dies is re-queued to resume from its
 * last checkpoint, until `maxAttempts` starts have been spent.
 */
export class Scheduler {
  readonly states: CellStates;
  private readonly slots: (Running | null)[];
  /** How many of `slots` take new cells (setWorkers). */
  private limit: number;
  private readonly maxAttempts: number;
  private readonly cancelGraceMs: number;
  /** Where the app's own workers resolve a cell's references (a queue host ignores it). */
  private readonly site: WorkerSite;
  /** The worker name events are heard from (the app's own); a queue host tracks its workers. */
  private readonly heardAs: string | undefined;
  private scope: readonly number[] | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    store: Store,
    private readonly repo: SweepRepository,
    private readonly host: WorkerHost,
    private readonly sink: MetricsSink,
    private readonly hub: EventHub,
    private readonly options: SchedulerOptions,
  ) {
    this.states = repo.states;
    this.limit = Math.max(1, options.workers);
    this.slots = Array.from({ length: this.limit }, () => null);
    this.maxAttempts = options.maxAttempts ?? 3;
    this.cancelGraceMs = options.cancelGraceMs ?? 10_000;
    this.site = {
      name: 'local',
      artifacts: checkpointsRoot(store.path),
      allow: null,
      datasets: {},
      models: null,
      allowCommands: true,
    };
    this.heardAs = host.recordsItsWorkers === true ? undefined : this.site.name;
  }

  /** Re-queues cells a previous process left running (it was killed); returns how many. */
  recover(): number {
    return this.states.recoverInterrupted();
  }

  /**
   * Runs the queued cells of `sweepIds` (every sweep when null) and resolves once none is
   * queued or running.
   */
  run(sweepIds: readonly number[] | null): Promise<void> {
    this.scope = sweepIds;
    const idle = new Promise<void>((resolvePromise) => this.idleWaiters.push(resolvePromise));
    this.fill();
    return idle;
  }

  /** How many cells run at once. */
  get workers(): number {
    return this.limit;
  }

  /**
   * How many cells run at once from now on: a higher count starts more at once; under a lower
   * one, the cells running past it finish first.
   */
  setWorkers(workers: number): void {
    this.limit = Math.max(1, workers);
    while (this.slots.length < this.limit) this.slots.push(null);
    this.fill();
  }

  /** Pause, resume, cancel or retry one cell; returns whether anything changed. */
  act(cellId: number, action: CellAction): boolean {
    const running = this.slots.find((s) => s?.cellId === cellId) ?? null;
    let changed: boolean;
    if (action === 'pause' || action === 'cancel') {
      const intent: StopIntent = action === 'pause' ? 'paused' : 'cancelled';
      if (running !== null) {
        this.stopWorker(running, intent);
        changed = true;
      } else {
        changed =
          (action === 'pause' ? this.states.pauseIdle(cellId) : this.states.cancelIdle(cellId)) > 0;
        if (changed) this.announce(cellId, intent);
      }
    } else {
      changed = (action === 'resume' ? this.states.resume(cellId) : this.states.retry(cellId)) > 0;
      if (changed) {
        if (action === 'retry') this.sink.resetCell(cellId);
        this.announce(cellId, 'queued');
        this.fill();
      }
    }
    return changed;
  }

  /**
   * Stops every worker (their cells go back to the queue, to resume from their checkpoints
   * next time) and flushes pending writes. For app shutdown.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    const live = this.slots.filter((s): s is Running => s !== null);
    for (const r of live) {
      r.stop = 'queued';
      r.handle.kill();
    }
    await Promise.all(live.map((r) => r.handle.exited));
    // Let each cell's rejection handler record its state before the caller closes the store.
    await new Promise((resolvePromise) => setImmediate(resolvePromise));
    this.sink.flush();
    this.hub.drain();
  }

  private fill(): void {
    if (this.closed) return;
    for (let slot = 0; slot < this.limit; slot++) {
      while (this.slots[slot] === null) {
        const cell = this.states.claimNext(this.scope);
        if (cell === null) break;
        this.start(slot, cell.id, cell.sweepId, cell.attempts, cell.lastCheckpointStep);
      }
    }
    if (this.slots.every((s) => s === null)) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      this.sink.flush();
      this.hub.drain();
      for (const w of waiters) w();
    }
  }

  private start(
    slot: number,
    cellId: number,
    sweepId: number,
    attempt: number,
    resumeStep: number | null,
  ): void {
    const spec = this.specFor(cellId, attempt, resumeStep);
    let handle: WorkerHandle;
    try {
      handle = this.host.spawn({ env: workerEnv(this.options.hardware, slot, this.limit) });
    } catch (err) {
      // No process, so nothing will ever exit: fail the cell now and go on with the others.
      const why = `cannot start a worker: ${err instanceof Error ? err.message : String(err)}`;
      this.log(sweepId, cellId, 'error', why);
      this.sink.flush();
      this.states.finish(cellId, 'failed', why);
      this.announce(cellId, 'failed', why);
      return;
    }
    const running: Running = {
      cellId,
      sweepId,
      handle,
      stop: null,
      graceMs: stopGraceMs(spec.engine, this.cancelGraceMs),
    };
    this.slots[slot] = running;
    this.announce(cellId, 'running');
    this.log(
      sweepId,
      cellId,
      'info',
      `attempt ${attempt} on ${this.host.kind} worker pid ${handle.pid ?? '?'}` +
        (resumeStep === null ? '' : `, resuming from step ${resumeStep}`),
    );
    // Cells sent to a queue wait there for a worker: its own runCell watches them.
    const watchdog = this.host.recordsItsWorkers === true ? null : undefined;
    runCell(handle, spec, this.site, (e) => this.onEvent(sweepId, e), watchdog).then(
      () => this.end(slot, running, 'done', null),
      (err: unknown) => this.onFailure(slot, running, attempt, err),
    );
  }

  private onFailure(slot: number, r: Running, attempt: number, err: unknown): void {
    r.handle.kill();
    if (r.stop !== null) {
      this.end(slot, r, r.stop, null);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof WorkerExitedError && attempt < this.maxAttempts) {
      this.log(
        r.sweepId,
        r.cellId,
        'warn',
        `${message}; re-queued (attempt ${attempt} of ${this.maxAttempts})`,
      );
      this.end(slot, r, 'queued', null);
      return;
    }
    const why =
      err instanceof CellFailedError || err instanceof WorkerExitedError
        ? message
        : `internal: ${message}`;
    this.log(r.sweepId, r.cellId, 'error', why);
    this.end(slot, r, 'failed', why);
  }

  private end(slot: number, r: Running, state: CellState, error: string | null): void {
    // Everything the worker reported goes to disk before the state that follows from it.
    this.sink.flush();
    this.states.finish(r.cellId, state, error);
    this.slots[slot] = null;
    this.announce(r.cellId, state, error);
    // Wait for the worker's exit before reusing the slot's GPU or cores; one that lingers after
    // its last event is killed.
    const timer = setTimeout(() => r.handle.kill(), 5000);
    void r.handle.exited.then(() => {
      clearTimeout(timer);
      this.fill();
    });
  }

  private stopWorker(r: Running, intent: StopIntent): void {
    r.stop = intent;
    r.handle.send({ type: 'cancel' });
    const timer = setTimeout(() => r.handle.kill(), r.graceMs);
    void r.handle.exited.then(() => clearTimeout(timer));
  }

  private onEvent(
    sweepId: number,
    e: Exclude<WorkerEvent, { type: 'done' } | { type: 'error' }>,
  ): void {
    switch (e.type) {
      case 'progress':
        if (e.phase === 'train') {
          this.sink.push(e, this.heardAs);
          this.hub.publishProgress(sweepId, e.cellId, e);
        } else {
          if (this.states.get(e.cellId)?.state === 'running') {
            this.sink.flush();
            this.states.set(e.cellId, 'evaluating');
            this.announce(e.cellId, 'evaluating');
          }
          this.hub.publish({
            type: 'evaluate',
            sweepId,
            cellId: e.cellId,
            benchmark: e.benchmark,
            done: e.done,
            total: e.total,
          });
        }
        break;
      case 'checkpoint':
        this.sink.push(e, this.heardAs);
        if (e.loaded !== true) {
          this.hub.publish({ type: 'checkpoint', sweepId, cellId: e.cellId, step: e.step });
        }
        break;
      case 'score':
        this.sink.push(e, this.heardAs);
        this.hub.publish({ ...e, sweepId });
        break;
      case 'log':
        this.sink.push(e, this.heardAs);
        this.hub.publish({ ...e, sweepId });
        break;
      case 'hello':
        this.sink.push(e, this.heardAs);
        break;
    }
  }

  private log(
    sweepId: number,
    cellId: number,
    level: 'info' | 'warn' | 'error',
    message: string,
  ): void {
    this.sink.push({ type: 'log', cellId, level, message });
    this.hub.publish({ type: 'log', sweepId, cellId, level, message });
  }

  private announce(cellId: number, state: CellState, error: string | null = null): void {
    const row = this.states.get(cellId);
    if (row === undefined) return;
    this.hub.publish({
      type: 'state',
      sweepId: row.sweepId,
      cellId,
      state,
      attempts: row.attempts,
      error,
    });
  }

  private specFor(cellId: number, attempt: number, resumeStep: number | null): CellSpec {
    const cell = this.repo.cell(cellId)!;
    const sweep = this.repo.sweep(cell.sweepId)!;
    const def = sweep.definition;
    return {
      cellId,
      sweepId: cell.sweepId,
      model: localModel(cell.model),
      dataset: { path: cell.dataset },
      plw: cell.plw,
      seed: cell.seed ?? def.seed,
      evalSeed: def.seed,
      train: def.train,
      benchmarks: def.benchmarks.map(({ data, ...b }) => ({
        ...b,
        ...(data === undefined ? {} : { data: { path: data } }),
      })),
      checkpoint: localCheckpoint(cellId),
      resumeStep,
      attempt,
      ...externalEngine(def, cell.model),
    };
  }
}
