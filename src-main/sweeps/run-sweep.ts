import type { Subscriber } from '../events/event-hub';
import { parseRedisUrl } from '../queue/url';
import type { Hardware } from '../workers/concurrency';
import type { WorkerHost } from '../workers/host';
import type { HashPath } from '../workers/refs';
import { Workspace } from '../workspace/workspace';
import { loadSweepFile, type Builtins } from './load';
import type { CellRow } from './repository';

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
  /** Told when this run, watching another process's, takes the workspace over. */
  onTakeOver?: (info: { recovered: number }) => void;
  subscribe?: Subscriber;
  /** `--queue URL`: cells go to queue workers (overrides the sweep file's `"queue"`). */
  queue?: string;
  /** Messages about the queue connection (the password never appears in them). */
  log?: (line: string) => void;
  /** sha256 of the files queue jobs name (src-worker/files.ts sha256OfPath); needed with a queue. */
  hashPath?: HashPath;
}

export interface SweepStart {
  sweepId: number;
  created: boolean;
  cells: CellRow[];
  recovered: number;
  requeued: number;
  workers: number;
  /** The pid of the process running the workspace when it is not this one (we watch). */
  runnerPid: number | null;
  /** The queue's URL with its password redacted, when cells run on queue workers. */
  queue: string | null;
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
 * runs them all. When another process (the app, another run) holds the workspace, this one
 * watches that process run the cells and takes over if it stops. The store is closed when the
 * run ends.
 */
export function runSweep(options: RunSweepOptions): SweepRun {
  const loaded = loadSweepFile(options.file, options.builtins);
  const queueUrl = options.queue ?? loaded.queue;
  // A bad URL is a usage error before anything opens (its message shows no password).
  const queueDisplay = queueUrl === undefined ? null : parseRedisUrl(queueUrl).display;
  const hashPath = options.hashPath;
  if (queueUrl !== undefined && hashPath === undefined) {
    throw new Error('runSweep: a queue needs options.hashPath');
  }
  const ws = new Workspace({
    dbPath: options.dbPath,
    runEverything: false,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.hardware === undefined ? {} : { hardware: options.hardware }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(queueUrl === undefined || hashPath === undefined
      ? {}
      : {
          queue: {
            url: queueUrl,
            builtins: options.builtins,
            hashPath,
            log: options.log ?? (() => undefined),
          },
        }),
  });
  try {
    const { id, created } = ws.repo.createOrContinue(loaded.definition, loaded.file);
    const requeued = ws.scheduler.states.requeueUnfinished(id);
    options.onStart?.({
      sweepId: id,
      created,
      cells: ws.repo.cells(id),
      recovered: ws.recovered,
      requeued,
      workers: ws.workers,
      runnerPid: ws.role === 'runner' ? null : ws.runnerPid,
      queue: queueDisplay,
    });
    if (options.subscribe) ws.hub.subscribe(options.subscribe);
    ws.onRoleChange(() => options.onTakeOver?.({ recovered: ws.recovered }));
    const done = ws.run([id]).then(
      async () => {
        const cells = ws.repo.cells(id);
        await ws.close();
        return cells;
      },
      async (err: unknown) => {
        await ws.close();
        throw err;
      },
    );
    return { done, stop: () => ws.close() };
  } catch (err) {
    void ws.close();
    throw err;
  }
}
