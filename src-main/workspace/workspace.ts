/**
 * The composition root every shell shares (the app, `plw serve`, `plw sweep run`): one store,
 * metrics sink, event hub and scheduler per workspace file, and the rule that decides who runs
 * cells. The process that holds the workspace's run lock runs them; any other process opened
 * on the same file is a live viewer: it tails the store for what the runner commits and
 * publishes it through its own hub, and it takes the workspace over (lock, re-queue what the
 * runner left running, run) as soon as the runner stops.
 */
import { PlwError } from '../../src-shared/errors';
import { EventHub } from '../events/event-hub';
import { MetricsSink } from '../events/metrics-sink';
import { Scheduler, type CellAction } from '../scheduler/scheduler';
import { RunLock } from '../store/run-lock';
import { Store } from '../store/store';
import { SweepRepository } from '../sweeps/repository';
import { defaultWorkers, demoWorkers, detectHardware, type Hardware } from '../workers/concurrency';
import { ForkHost } from '../workers/fork-host';
import { WorkerRecords } from '../workers/worker-records';
import type { WorkerHost } from '../workers/host';
import type { QueueHost } from '../queue/app/queue-host';
import { openQueueHost } from '../queue/app/open';
import { parseRedisUrl } from '../queue/url';
import type { Builtins } from '../sweeps/load';
import { Settings } from '../store/settings';
import { hashInWorkers } from '../workers/hash-in-workers';
import type { HashPath } from '../workers/refs';
import { StoreTail } from './store-tail';

export type WorkspaceRole = 'runner' | 'viewer';

export interface WorkspaceOptions {
  dbPath: string;
  /** How cells run while this process holds the workspace (default: child_process workers). */
  host?: WorkerHost;
  /** Concurrent workers; default from the hardware (defaultWorkers), or QUEUE_SLOTS on a queue. */
  workers?: number;
  /**
   * Run cells on `plw worker` processes through this Redis queue instead of `host`. Only the
   * runner reads the workers' event stream and writes what it carries.
   */
  queue?: QueueOptions;
  /**
   * The app: run cells on the queue saved in the workspace's settings (the Settings page), if
   * one is saved; hashing of the files jobs name is done in a worker process of `host`.
   * Read when the workspace opens; `queue` wins over it.
   */
  savedQueue?: { builtins: Builtins; log: (line: string) => void };
  hardware?: Hardware;
  /** Starts of a crashing cell before it fails (Scheduler). */
  maxAttempts?: number;
  cancelGraceMs?: number;
  /**
   * True for the app: as runner, run every queued cell of the workspace, including cells other
   * processes queue later. False for `plw sweep run`, which runs only the sweeps it is given.
   */
  runEverything: boolean;
  /** How often a viewer reads the store and retries the lock (default 250 ms). */
  pollMs?: number;
  /** MetricsSink batching (default 250 ms). */
  flushIntervalMs?: number;
  /** Progress throttle of the hub (default 100 ms). */
  throttleMs?: number;
}

export interface QueueOptions {
  url: string;
  builtins: Builtins;
  hashPath: HashPath;
  log: (line: string) => void;
}

/** The settings key of the app's queue URL (password included: it never leaves main). */
export const QUEUE_SETTING = 'queue';

/** Cells sent to a queue at once: its workers' number and concurrency set the real pace. */
export const QUEUE_SLOTS = 1000;

export class Workspace {
  readonly store: Store;
  readonly repo: SweepRepository;
  readonly sink: MetricsSink;
  readonly hub: EventHub;
  readonly scheduler: Scheduler;
  readonly host: WorkerHost;
  /** Where short jobs run (dataset statistics, hashes): this machine's workers, even on a queue. */
  readonly dataHost: WorkerHost;
  /** The queue host when cells run on queue workers. */
  readonly queueHost: QueueHost | null;
  /** That queue's URL with its password as `***`, or null for this machine's workers. */
  readonly queueDisplay: string | null;
  private readonly workerRecords: WorkerRecords;
  /** Cells a dead runner left running, re-queued when this process took the workspace. */
  recovered = 0;
  private lock: RunLock | null = null;
  private holder: number | null = null;
  private readonly tail: StoreTail;
  private timer: NodeJS.Timeout | null = null;
  private readonly roleListeners = new Set<(role: WorkspaceRole) => void>();
  private scope: readonly number[] | null = null;
  private readonly hardware: Hardware;
  private pollWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: WorkspaceOptions) {
    this.store = new Store(options.dbPath);
    this.repo = new SweepRepository(this.store);
    this.workerRecords = new WorkerRecords(this.store);
    this.sink = new MetricsSink(
      this.store,
      options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs },
    );
    this.hub = new EventHub(options.throttleMs);
    const hardware = options.hardware ?? detectHardware();
    this.hardware = hardware;
    this.dataHost = options.host ?? new ForkHost();
    const saved =
      options.savedQueue === undefined ? null : new Settings(this.store).get<string>(QUEUE_SETTING);
    const queue =
      options.queue ??
      (saved === null || options.savedQueue === undefined
        ? undefined
        : { ...options.savedQueue, url: saved, hashPath: hashInWorkers(this.dataHost) });
    try {
      // A bad URL is a usage error that names no password (parseRedisUrl).
      this.queueDisplay = queue === undefined ? null : parseRedisUrl(queue.url).display;
      this.queueHost =
        queue === undefined
          ? null
          : openQueueHost({
              store: this.store,
              repo: this.repo,
              sink: this.sink,
              hub: this.hub,
              ...queue,
            });
    } catch (err) {
      this.store.close();
      throw err;
    }
    const workers =
      options.workers ?? (this.queueHost !== null ? QUEUE_SLOTS : defaultWorkers(hardware));
    this.host = this.queueHost ?? this.dataHost;
    this.scheduler = new Scheduler(this.store, this.repo, this.host, this.sink, this.hub, {
      workers,
      hardware,
      maxAttempts: options.maxAttempts ?? 3,
      ...(options.cancelGraceMs === undefined ? {} : { cancelGraceMs: options.cancelGraceMs }),
    });
    this.tail = new StoreTail(this.store, this.repo, this.hub);
    try {
      if (!this.tryTakeOver() || options.runEverything) this.schedulePoll();
    } catch (err) {
      void this.queueHost?.close();
      this.store.close();
      throw err;
    }
  }

  get role(): WorkspaceRole {
    return this.lock !== null || this.options.dbPath === ':memory:' ? 'runner' : 'viewer';
  }

  /** Cells this process runs at once (QUEUE_SLOTS: how many it sends to a queue at once). */
  get workers(): number {
    return this.scheduler.workers;
  }

  /**
   * Before the demo sweep: its model is tiny, so this machine runs `demoWorkers` of them at
   * once (two single-threaded workers on two cores) unless `--workers` was given or cells run on
   * a queue. Stays so for the session. Returns whether the count changed.
   */
  useDemoWorkers(): boolean {
    if (this.options.workers !== undefined || this.queueHost !== null) return false;
    const n = demoWorkers(this.hardware);
    if (n <= this.workers) return false;
    this.scheduler.setWorkers(n);
    return true;
  }

  /** The pid of the process running the workspace while this one views it, else null. */
  /**
   * Workers that can run cells now: on a queue, the `plw worker`s the runner last saw connected
   * to it (QUEUE_SLOTS is only how many cells are sent at once); else this process's slots.
   */
  availableWorkers(): number {
    return this.queueHost !== null || this.queueDisplay !== null
      ? this.workerRecords.connectedCount()
      : this.workers;
  }

  get runnerPid(): number | null {
    return this.role === 'runner' ? process.pid : this.holder;
  }

  /** Told when this process takes the workspace over (viewer → runner). */
  onRoleChange(listener: (role: WorkspaceRole) => void): () => void {
    this.roleListeners.add(listener);
    return () => this.roleListeners.delete(listener);
  }

  /**
   * Runs the queued cells of `sweepIds` (every sweep when null) and resolves once none of
   * them is queued, running or evaluating. A viewer waits for the runner to finish them, and
   * runs what is left itself if it takes the workspace over meanwhile.
   */
  async run(sweepIds: readonly number[] | null): Promise<void> {
    this.scope = sweepIds;
    while (!this.closed) {
      if (this.role === 'runner') {
        const done = this.scheduler.run(sweepIds);
        // After the scheduler has handed its cells to the queue host (each job has its handle).
        this.queueHost?.start();
        return done;
      }
      if (this.unfinished(sweepIds) === 0) return;
      await this.nextPoll();
    }
  }

  /** Resolves after the next viewer poll (or at once when closed). */
  private nextPoll(): Promise<void> {
    return new Promise((resolvePromise) => {
      if (this.closed) resolvePromise();
      else this.pollWaiters.push(resolvePromise);
    });
  }

  /** Starts queued cells now (runner only; a viewer's cells start when it takes over). */
  kick(): void {
    if (this.closed || this.role !== 'runner') return;
    if (!this.options.runEverything && this.scope === null) return;
    void this.scheduler.run(this.options.runEverything ? null : this.scope).then(
      () => undefined,
      (err: unknown) => console.error(err),
    );
    this.queueHost?.start();
  }

  /**
   * Pause, resume, cancel or retry one cell. A viewer can act on cells that no worker runs;
   * one the runner is training is the runner's to stop, and saying so is the clear answer.
   */
  act(cellId: number, action: CellAction): boolean {
    if (this.runByOther(cellId, action)) {
      throw new PlwError(
        'bad_usage',
        `cell ${cellId} is being run by another PLW process (pid ${this.holder}); ` +
          `${action} it there, or stop that process`,
      );
    }
    return this.scheduler.act(cellId, action);
  }

  /**
   * The same action on every cell of a sweep it applies to; returns how many changed. A
   * viewer acts on the cells no worker runs, then says which ones are the runner's.
   */
  actOnSweep(sweepId: number, action: CellAction): number {
    const ids = this.scheduler.states.cellsOf(sweepId);
    const others = ids.filter((id) => this.runByOther(id, action));
    const changed = ids.filter((id) => !others.includes(id) && this.scheduler.act(id, action));
    if (others.length > 0) {
      throw new PlwError(
        'bad_usage',
        `${action}: ${changed.length} cell(s) changed; cell(s) ${others.join(', ')} are being ` +
          `run by another PLW process (pid ${this.holder}): ${action} them there`,
      );
    }
    return changed.length;
  }

  /** A pause or cancel of a cell that another process's worker is running. */
  private runByOther(cellId: number, action: CellAction): boolean {
    if (this.role !== 'viewer' || (action !== 'pause' && action !== 'cancel')) return false;
    const state = this.scheduler.states.get(cellId)?.state;
    return state === 'running' || state === 'evaluating';
  }

  /** Stops this process's workers (their cells go back to the queue), then closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    for (const w of this.pollWaiters.splice(0)) w();
    // Queue workers go on training; their events wait in Redis for the next runner.
    await this.scheduler.shutdown();
    await this.queueHost?.close();
    this.sink.close();
    this.store.close();
    this.lock?.release();
    this.lock = null;
  }

  private unfinished(sweepIds: readonly number[] | null): number {
    return this.scheduler.states.unfinished(sweepIds);
  }

  /** Takes the run lock if free; as the new runner, re-queues what a dead runner left. */
  private tryTakeOver(): boolean {
    if (this.options.dbPath === ':memory:') return true;
    const got = RunLock.tryAcquire(this.options.dbPath);
    if (!(got instanceof RunLock)) {
      this.holder = got.holder;
      return false;
    }
    this.lock = got;
    this.holder = null;
    // Whatever the previous runner wrote last is published before this process writes.
    this.tail.poll();
    this.recovered = this.scheduler.recover();
    return true;
  }

  /**
   * A viewer reads the store and tries the lock; a runner of everything only checks whether
   * another process committed (a viewer queued a sweep or retried a cell) and then starts cells.
   */
  private schedulePoll(): void {
    if (this.options.dbPath === ':memory:') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      try {
        if (this.role === 'runner') {
          if (this.tail.changedElsewhere()) this.kick();
        } else {
          this.tail.poll();
          if (this.tryTakeOver()) {
            this.tail.changedElsewhere();
            for (const l of [...this.roleListeners]) l('runner');
            this.kick();
          }
        }
      } catch (err) {
        console.error(err);
      }
      for (const w of this.pollWaiters.splice(0)) w();
      if (this.role === 'viewer' || this.options.runEverything) this.schedulePoll();
    }, this.options.pollMs ?? 250);
  }
}
