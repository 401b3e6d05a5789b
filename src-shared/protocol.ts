/**
 * The worker protocol: the only messages that cross between the main process and a worker
 * (child_process.fork, Electron utilityProcess or, later, a remote queue). Workers never open
 * SQLite; everything they produce leaves as one of these events.
 */
import type { ErrorData } from './errors';
import type { BenchmarkSpec, TrainSettings } from './sweep';

/**
 * Everything a worker needs to run one cell, with no access to the database: absolute paths,
 * hyperparameters, PLW, seed, benchmarks, where to keep checkpoints and where to resume.
 */
export interface CellSpec {
  cellId: number;
  sweepId: number;
  /** A built-in preset name or an absolute model directory (Hugging Face layout). */
  model: string;
  /** A built-in dataset name or an absolute dataset file. */
  dataset: string;
  plw: number;
  /** Training seed: the replicate's (`seeds`) or the sweep's `seed`. */
  seed: number;
  /** Evaluation seed (item and few-shot sampling): the sweep's `seed`, shared by replicates. */
  evalSeed?: number;
  train: TrainSettings;
  benchmarks: BenchmarkSpec[];
  /** `checkpoints/<cell>/` beside the database; the worker owns its contents. */
  checkpointDir: string;
  /**
   * Step of the last checkpoint main recorded, or null to start from the base model (the
   * worker then clears checkpointDir). The worker resumes from the latest complete checkpoint
   * in the folder, which may be newer, and says which one with a `loaded` checkpoint event.
   */
  resumeStep: number | null;
  /** 1 for the first run of the cell, then 2, 3… after crashes or retries. */
  attempt: number;
}

/**
 * A dataset job for the Datasets view: short work on one file that still belongs off the main
 * process (a JSON array dataset is parsed whole; tokenizing takes seconds on large files).
 * Paths are absolute.
 */
export type DataJob =
  /** Token statistics (METHOD.md) with a tokenizer spec: `byte`, a file or a model folder. */
  | { kind: 'stats'; path: string; tokenizer: string; short: boolean }
  /** Records [offset, offset + limit) with their rendered Alpaca prompt. */
  | { kind: 'preview'; path: string; offset: number; limit: number }
  /** Writes the short-completion version of `path` to `out` (same format), whole or not at all. */
  | { kind: 'make-short'; path: string; out: string; tokenizer: string };

/**
 * Pre-training of a base model the app needs before a sweep can start: today the demo base
 * model (the built-in demo corpus, the settings and cache `plw demo` and `plw pretrain --name
 * demo-base` use), optionally with another step count.
 */
export interface PretrainJob {
  kind: 'demo-base';
  steps?: number;
}

/** Main → worker. */
export type MainMessage =
  | { type: 'start'; spec: CellSpec }
  /** Stop soon (at the next step boundary), then exit; the cell is cancelled or paused. */
  | { type: 'cancel' }
  /** Run one dataset job instead of a cell, reply with `data-result` or `data-error`, exit. */
  | { type: 'data'; job: DataJob }
  /** Pre-train instead of running a cell: `pretrain-*` replies, ending with a result or error. */
  | { type: 'pretrain'; job: PretrainJob };

/** Worker → main, answering a `data` message. */
export type DataReply =
  { type: 'data-result'; result: unknown } | { type: 'data-error'; error: ErrorData };

/** Worker → main, answering a `pretrain` message: steps and log lines, then one result or error. */
export type PretrainReply =
  | {
      type: 'pretrain-step';
      step: number;
      totalSteps: number;
      loss: number;
      /** From the pre-training's own pace; null before it can tell. */
      etaSeconds: number | null;
    }
  | { type: 'pretrain-log'; message: string }
  /** `model`: the HF model directory (in the cache); `cached`: found there, not trained now. */
  | { type: 'pretrain-result'; model: string; cached: boolean }
  | { type: 'pretrain-error'; error: ErrorData };

/** One optimizer step's figures; `loss` is the batch loss before the update. */
export interface StepMetrics {
  step: number;
  totalSteps: number;
  loss: number;
  promptLoss: number | null;
  completionLoss: number | null;
  lr: number;
  gradNorm: number | null;
  tokensPerSec: number | null;
  /** Wall clock (ms since the epoch) when the step ended. */
  time: number;
}

/** Worker → main. Every event names its cell so one channel can carry several. */
export type WorkerEvent =
  | ({ type: 'progress'; cellId: number; phase: 'train' } & StepMetrics)
  | {
      type: 'progress';
      cellId: number;
      phase: 'evaluate';
      benchmark: string;
      /** Benchmarks finished so far, and how many there are. */
      done: number;
      total: number;
    }
  /**
   * A resumable checkpoint of `step` is fully written (safe to resume from). With `loaded`, it
   * is instead the one this attempt starts from (step 0: the base model), sent before any
   * progress: main then drops whatever it holds past that step, which this attempt recomputes.
   */
  | { type: 'checkpoint'; cellId: number; step: number; dir: string; loaded?: boolean }
  | {
      type: 'score';
      cellId: number;
      benchmark: string;
      metric: string;
      value: number;
      stderr: number | null;
      /** Items scored; the chance level; the 95% interval (src-shared/metrics.ts). */
      n?: number | null;
      chance?: number | null;
      lower?: number | null;
      upper?: number | null;
    }
  | { type: 'log'; cellId: number; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; cellId: number }
  | { type: 'error'; cellId: number; error: ErrorData };

export type WorkerEventType = WorkerEvent['type'];

/** Narrows an untrusted IPC message to a WorkerEvent (shape of the discriminant only). */
export function isWorkerEvent(value: unknown): value is WorkerEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; cellId?: unknown };
  return (
    typeof v.cellId === 'number' &&
    (v.type === 'progress' ||
      v.type === 'checkpoint' ||
      v.type === 'score' ||
      v.type === 'log' ||
      v.type === 'done' ||
      v.type === 'error')
  );
}

export function isMainMessage(value: unknown): value is MainMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; spec?: unknown; job?: unknown };
  return (
    v.type === 'cancel' ||
    (v.type === 'start' && typeof v.spec === 'object') ||
    ((v.type === 'data' || v.type === 'pretrain') && typeof v.job === 'object' && v.job !== null)
  );
}

export function isPretrainReply(value: unknown): value is PretrainReply {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; error?: unknown };
  return (
    v.type === 'pretrain-step' ||
    v.type === 'pretrain-log' ||
    v.type === 'pretrain-result' ||
    (v.type === 'pretrain-error' && typeof v.error === 'object' && v.error !== null)
  );
}

export function isDataReply(value: unknown): value is DataReply {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; error?: unknown };
  return (
    v.type === 'data-result' ||
    (v.type === 'data-error' && typeof v.error === 'object' && v.error !== null)
  );
}
