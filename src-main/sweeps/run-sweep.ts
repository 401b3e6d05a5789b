import { EventHub, type Subscriber } from '../events/event-hub';
import { MetricsSink } from '../events/metrics-sink';
import { Scheduler } from '../scheduler/scheduler';
import { RunLock } from '../store/run-lock';
import { Store } from '../store/store';
import { detectHardware, defaultWorkers, type Hardware } from '../workers/concurrency';
import { ForkHost } from '../workers/fork-host';
import type { WorkerHost } from '../workers/host';
import { loadSweepFile, type Builtins } from './load';
import { SweepRepository, type CellRow } from './repository';

export interface RunSweepOptions {
  dbPath: string;
  file: string;
  builtins: Builtins;
  /** Concurrent workers; default from the hardware (defaultWorkers). */
  workers?: number;
  host?: WorkerHost;
  maxAttempts?: number;
  hardware?: Hardware;
  /** Told what happened before cells start (created or continued, re-queued cells). */
  onStart?: (info: SweepStart) => void;
  subscribe?: Subscriber;
}

export interface SweepStart {
  sweepId: number;
  created: boolean;
  cells: CellRow[];
  recovered: number;
  requeued: number;
  workers: number;
}

/** A sweep run in progress: `done` settles with the cells' final rows. */
export interface SweepRun {
  done: Promise<CellRow[]>;
  /** Stops the workers (cells return to the queue) and closes the store. */
  stop(): Promise<void>;
}

/**
 * `plw sweep run`: validates the file, creates the sweep or continues the one made from the
 * same definition, re-queues what a killed process left running and every cell not done, then
 * runs them all. The store is closed when the run ends.
 */
export function runSweep(options: RunSweepOptions): SweepRun {
  const loaded = loadSweepFile(options.file, options.builtins);
  const store = new Store(options.dbPath);
  let lock: RunLock;
  try {
    lock = RunLock.acquire(options.dbPath);
  } catch (err) {
    store.close();
    throw err;
  }
  const repo = new SweepRepository(store);
  const sink = new MetricsSink(store);
  const hub = new EventHub();
  const hardware = options.hardware ?? detectHardware();
  const workers = options.workers ?? defaultWorkers(hardware);
  const scheduler = new Scheduler(store, repo, options.host ?? new ForkHost(), sink, hub, {
    workers,
    hardware,
    maxAttempts: options.maxAttempts ?? 3,
  });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    sink.close();
    store.close();
    lock.release();
  };
  try {
    const { id, created } = repo.createOrContinue(loaded.definition, loaded.file);
    const recovered = scheduler.recover();
    const requeued = scheduler.states.requeueUnfinished(id);
    options.onStart?.({
      sweepId: id,
      created,
      cells: repo.cells(id),
      recovered,
      requeued,
      workers,
    });
    if (options.subscribe) hub.subscribe(options.subscribe);
    const done = scheduler.run([id]).then(
      () => {
        const cells = repo.cells(id);
        close();
        return cells;
      },
      (err: unknown) => {
        close();
        throw err;
      },
    );
    return {
      done,
      stop: async () => {
        await scheduler.shutdown();
        close();
      },
    };
  } catch (err) {
    close();
    throw err;
  }
}
