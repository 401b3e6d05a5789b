import { PlwError, type ErrorData } from '../../src-shared/errors';
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

/** The seam of ARCHITECTURE.md: the scheduler starts workers only through this. */
export interface WorkerHost {
  readonly kind: string;
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

/**
 * Runs one cell on a fresh worker, which resolves the spec's references at `site`: sends
 * `start`, forwards every event, resolves on `done`.
 * Rejects with CellFailedError on `error`, and with WorkerExitedError when the process exits
 * first: a worker that exits rejects whatever was waiting on it.
 */
export function runCell(
  handle: WorkerHandle,
  spec: CellSpec,
  site: WorkerSite,
  onEvent: (event: Exclude<WorkerEvent, { type: 'done' } | { type: 'error' }>) => void,
): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      if (err === undefined) resolvePromise();
      else reject(err);
    };
    handle.onMessage((message) => {
      if (settled || !isWorkerEvent(message) || message.cellId !== spec.cellId) return;
      if (message.type === 'done') settle();
      else if (message.type === 'error') settle(new CellFailedError(message.error));
      else onEvent(message);
    });
    void handle.exited.then((exit) => settle(new WorkerExitedError(exit)));
    try {
      handle.send({ type: 'start', spec, site });
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  });
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
  const handle = host.spawn({ env: {} });
  return new Promise<unknown>((resolvePromise, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settle(
        new PlwError('run_failed', `dataset job (${job.kind}) took over ${timeoutMs / 1000} s`),
      );
      handle.kill();
    }, timeoutMs);
    function settle(err: Error | null, result?: unknown): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err === null) resolvePromise(result);
      else reject(err);
    }
    handle.onMessage((message) => {
      if (!isDataReply(message)) return;
      if (message.type === 'data-result') settle(null, message.result);
      else settle(new PlwError(message.error.code, message.error.message, message.error.detail));
    });
    void handle.exited.then((exit) => settle(new WorkerExitedError(exit)));
    try {
      handle.send({ type: 'data', job });
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  });
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
  const handle = host.spawn({ env: {} });
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const settle = (err: Error | null, result?: { model: string; cached: boolean }): void => {
      if (settled) return;
      settled = true;
      if (err === null) resolvePromise(result as { model: string; cached: boolean });
      else reject(err);
    };
    handle.onMessage((message) => {
      if (settled || !isPretrainReply(message)) return;
      if (message.type === 'pretrain-step') {
        callbacks.onStep?.(message.step, message.totalSteps, message.loss, message.etaSeconds);
      } else if (message.type === 'pretrain-log') {
        callbacks.onLog?.(message.message);
      } else if (message.type === 'pretrain-result') {
        settle(null, { model: message.model, cached: message.cached });
      } else {
        settle(new PlwError(message.error.code, message.error.message, message.error.detail));
      }
    });
    void handle.exited.then((exit) => settle(new WorkerExitedError(exit)));
    try {
      handle.send({ type: 'pretrain', job });
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
