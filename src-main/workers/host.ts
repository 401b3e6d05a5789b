import { PlwError, type ErrorData } from '../../src-shared/errors';
import { MEMORY_ADVICE } from '../../src-shared/memory';
import {
  isDataReply,
  isPretrainReply,
  isWorkerEvent,
  type CellSpec,
  type DataJob,
  type MainMessage,
  type PretrainJob,
  type WorkerEvent,
  type WorkerSite,
} from '../../src-shared/protocol';

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Last lines the worker wrote on stderr, to explain a crash. */
  stderrTail: string;
}

/** One live worker process, whatever runs it (child_process, utilityProcess, a queue). */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: MainMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Settles once, when the process has exited. */
  readonly exited: Promise<WorkerExit>;
  /** Ends the process at once (SIGKILL where there are signals). */
  kill(): void;
}

export interface SpawnOptions {
  /** Extra environment for this worker (thread counts, CUDA_VISIBLE_DEVICES). */
  env: Record<string, string>;
}

/** The seam of docs/ARCHITECTURE.md "Workers and the worker protocol": the scheduler starts workers only through this. */
export interface WorkerHost {
  /** How its workers run, as logs name it ('child_process', 'utilityProcess', 'queue'). */
  readonly kind: string;
  /**
   * True when cells run on workers elsewhere which the host itself records (which worker ran a
   * cell, when each was last heard from); the app's own processes otherwise.
   */
  readonly recordsItsWorkers?: boolean;
  spawn(options: SpawnOptions): WorkerHandle;
}

/** A worker process ended without reporting `done` or `error`: killed, crashed, out of memory. */
export class WorkerExitedError extends PlwError {
  constructor(readonly exit: WorkerExit) {
    const how = exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const why = crashLine(exit.stderrTail);
    super('run_failed', `worker ${how}${why ? `: ${why}` : ''}`);
    this.name = 'WorkerExitedError';
  }
}

/** The line of a crash's stderr that says what went wrong (an `XxxError: …` line if any). */
export function crashLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Node\.js v/.test(l) && !/^at /.test(l));
  return (lines.find((l) => /^(\w*Error|Uncaught|FATAL)\b/.test(l)) ?? lines.at(-1) ?? '').slice(
    0,
    300,
  );
}

/** The worker reported an error for its cell. */
export class CellFailedError extends PlwError {
  constructor(readonly error: ErrorData) {
    super(error.code, error.message, error.detail);
    this.name = 'CellFailedError';
  }
}

/** What a job makes of one message of its worker: nothing yet (undefined), a result, or an error. */
export type JobReply<T> = undefined | { result: T } | { error: Error };

/**
 * The one protocol of every job on a worker: sends `start`, hands each message to `reply` until
 * that settles the job, once; a worker that exits first rejects with WorkerExitedError, a send
 * that throws rejects with its error. With `timeoutMs`, the worker is killed and the job
 * rejects with `timeout()` once that time has passed.
 */
export function runJob<T>(
  handle: WorkerHandle,
  start: MainMessage,
  reply: (message: unknown) => JobReply<T>,
  limit?: { timeoutMs: number; timeout: () => Error },
  watchdog?: Watchdog,
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    let settled = false;
    const stop = (error: Error) => {
      settle({ error });
      handle.kill();
    };
    const timer =
      limit === undefined ? null : setTimeout(() => stop(limit.timeout()), limit.timeoutMs);
    // The watchdog: re-armed by every message; the quiet it allows grows with the longest gap
    // seen, so a slow but steady job (a big model's minutes-long steps) is never stopped.
    let quietMs = watchdog?.quietMs ?? 0;
    let last: number | null = null; // the first message's wait (process start) is not a gap
    let stall: ReturnType<typeof setTimeout> | null = null;
    const arm = () => {
      if (watchdog === undefined || settled) return;
      if (stall !== null) clearTimeout(stall);
      stall = setTimeout(() => stop(watchdog.stalled(quietMs / 1000)), quietMs);
    };
    function settle(r: JobReply<T>): void {
      if (settled || r === undefined) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      if (stall !== null) clearTimeout(stall);
      if ('error' in r) reject(r.error);
      else resolvePromise(r.result);
    }
    handle.onMessage((message) => {
      if (settled) return;
      const now = Date.now();
      if (last !== null) quietMs = Math.max(quietMs, WATCHDOG_GAP_FACTOR * (now - last));
      last = now;
      arm();
      settle(reply(message));
    });
    arm();
    void handle.exited.then((exit) => settle({ error: new WorkerExitedError(exit) }));
    try {
      handle.send(start);
    } catch (err) {
      settle({ error: err instanceof Error ? err : new Error(String(err)) });
    }
  });
}

/**
 * A job's no-progress limit: when its worker sends nothing (no step, no event) for `quietMs`,
 * or for 5 times the longest gap between two of its messages so far if that is longer, it is
 * killed and the job fails with `stalled(seconds)`.
 */
export interface Watchdog {
  quietMs: number;
  stalled: (seconds: number) => Error;
}

const WATCHDOG_GAP_FACTOR = 5;

/**
 * The quiet a cell's worker is allowed before the watchdog stops it: PLW_WATCHDOG_SECONDS, by
 * default 30 minutes (a 156M-parameter model's first step took 9 minutes on a loaded 2-core
 * machine; the heap guard turns a full heap into an error long before this).
 */
export function cellWatchdogMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.PLW_WATCHDOG_SECONDS ?? '');
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 30 * 60) * 1000;
}

/** The error of a cell whose worker stopped making progress (final: not retried). */
export function stalledCellError(seconds: number): CellFailedError {
  return new CellFailedError({
    code: 'run_failed',
    message:
      `the worker made no progress for ${Math.round(seconds)} s (no training step, no event) and was stopped: ` +
      `a model too big for this machine can stall the CPU backend; ${MEMORY_ADVICE}`,
  });
}

/**
 * Runs one cell on a fresh worker, which resolves the spec's references at `site`: sends
 * `start`, forwards every event, resolves on `done`.
 * Rejects with CellFailedError on `error` or when the worker stops making progress (the
 * watchdog), and with WorkerExitedError when the process exits first: a worker that exits
 * rejects whatever was waiting on it.
 */
export function runCell(
  handle: WorkerHandle,
  spec: CellSpec,
  site: WorkerSite,
  onEvent: (event: Exclude<WorkerEvent, { type: 'done' } | { type: 'error' }>) => void,
  /** No-progress limit (default cellWatchdogMs()); null where the cell waits in a queue. */
  watchdog: Watchdog | null = { quietMs: cellWatchdogMs(), stalled: stalledCellError },
): Promise<void> {
  return runJob<void>(
    handle,
    { type: 'start', spec, site },
    (message) => {
      if (!isWorkerEvent(message) || message.cellId !== spec.cellId) return undefined;
      if (message.type === 'done') return { result: undefined };
      if (message.type === 'error') return { error: new CellFailedError(message.error) };
      onEvent(message);
      return undefined;
    },
    undefined,
    watchdog ?? undefined,
  );
}

/** A worker's error reply as the PlwError it describes (code, message, location). */
function replyError(error: ErrorData): { error: PlwError } {
  return { error: new PlwError(error.code, error.message, error.detail) };
}

/**
 * Runs one dataset job on a fresh worker of `host` and resolves with its result; the worker's
 * error (an InputError naming file, record and field) rejects as a PlwError with the same code,
 * message and location. The worker is killed after `timeoutMs`.
 */
export function runDataJob(
  host: WorkerHost,
  job: DataJob,
  timeoutMs = 10 * 60_000,
): Promise<unknown> {
  return runJob<unknown>(
    host.spawn({ env: {} }),
    { type: 'data', job },
    (message) => {
      if (!isDataReply(message)) return undefined;
      return message.type === 'data-result'
        ? { result: message.result }
        : replyError(message.error);
    },
    {
      timeoutMs,
      timeout: () =>
        new PlwError('run_failed', `dataset job (${job.kind}) took over ${timeoutMs / 1000} s`),
    },
  );
}

/** What a pre-training job reports while it runs. */
export interface PretrainCallbacks {
  onStep?: (step: number, totalSteps: number, loss: number, etaSeconds: number | null) => void;
  onLog?: (line: string) => void;
}

/**
 * Runs one pre-training job on a fresh worker of `host` (the host that runs the cells, so the
 * engine never loads in the main process) and resolves with the model's directory. The
 * worker's error rejects as a PlwError with its code and message, a worker that exits first
 * with WorkerExitedError. No time limit: pre-training takes minutes, and its steps show it alive.
 */
export function runPretrainJob(
  host: WorkerHost,
  job: PretrainJob,
  callbacks: PretrainCallbacks = {},
): Promise<{ model: string; cached: boolean }> {
  return runJob(host.spawn({ env: {} }), { type: 'pretrain', job }, (message) => {
    if (!isPretrainReply(message)) return undefined;
    switch (message.type) {
      case 'pretrain-step':
        callbacks.onStep?.(message.step, message.totalSteps, message.loss, message.etaSeconds);
        return undefined;
      case 'pretrain-log':
        callbacks.onLog?.(message.message);
        return undefined;
      case 'pretrain-result':
        return { result: { model: message.model, cached: message.cached } };
      default:
        return replyError(message.error);
    }
  });
}
