/**
 * The worker protocol: the only messages that cross between the main process and a worker
 * (child_process.fork, Electron utilityProcess, or `plw worker` on a queue). Workers never open
 * SQLite; everything they produce leaves as one of these events.
 */
import { z } from 'zod';
import type { CellEngine } from './engine';
import type { ErrorData } from './errors';
import type { BenchmarkSpec, SweepFewshotSampler, TrainSettings } from './sweep';

/**
 * A model, dataset or benchmark file as a worker resolves it on its own host (src-worker/refs.ts):
 * - `builtin`: a name built into PLW Studio (a model preset, a demo dataset);
 * - `path` with `sha256`: a file or model folder the app hashed (a folder: the hash of its files'
 *   hashes); the worker must find the same bytes at that path, inside the folders it may read;
 * - `path` alone: a file of the app's own host, for the app's local workers (not hashed).
 * Main builds them (src-main/workers/refs.ts).
 */
export type FileRef = { builtin: string } | { path: string; sha256?: string };

/** A folder under the worker's artifacts root (`plw worker --artifacts`, or `checkpoints/` beside the database). */
export interface ArtifactRef {
  /** Relative, `/`-separated, without `..`: `<cell>` locally, `<workspace>/cell-<cell>` on a queue. */
  artifact: string;
}

export interface BenchmarkRef {
  task: string;
  data?: FileRef;
  shots?: number;
  limit?: number;
  fewshotSampler?: SweepFewshotSampler;
}

/**
 * Everything a worker needs to run one cell, with no access to the database and no path of the
 * app's machine it cannot check: references to the model, dataset, benchmark files and the
 * cell's checkpoint folder, hyperparameters, PLW, seed.
 */
export interface CellSpec {
  cellId: number;
  sweepId: number;
  model: FileRef;
  dataset: FileRef;
  plw: number;
  /** Training seed: the replicate's (`seeds`) or the sweep's `seed`. */
  seed: number;
  /** Evaluation seed (item and few-shot sampling): the sweep's `seed`, shared by replicates. */
  evalSeed?: number;
  train: TrainSettings;
  benchmarks: BenchmarkRef[];
  /** The cell's checkpoint folder; the worker owns its contents. */
  checkpoint: ArtifactRef;
  /**
   * Step of the last checkpoint main recorded, or null to start from the base model (the
   * worker then clears the checkpoint folder). The worker resumes from the latest complete
   * checkpoint in the folder, which may be newer, and says which one with a `loaded` event.
   */
  resumeStep: number | null;
  /** 1 for the first run of the cell, then 2, 3… after crashes or retries. */
  attempt: number;
  /**
   * External `trainer` / `evaluator` commands (src-shared/engine.ts), as data: the worker
   * validates them again and runs them only where its site allows commands. Absent: built in.
   */
  engine?: CellEngine;
}

/** Where a worker resolves a CellSpec's references: its host's names and folders. */
export interface WorkerSite {
  /** The worker's name in messages (`plw worker --name`; `local` for the app's own workers). */
  name: string;
  /** Root of ArtifactRefs. */
  artifacts: string;
  /**
   * Folders `path` references may name, resolved through symlinks; null for the app's local
   * workers, which read what the sweep names on their own host.
   */
  allow: string[] | null;
  /** Built-in dataset name → file on this host. */
  datasets: Record<string, string>;
  /** Built-in model names; null: any name (the app's local workers run what it validated). */
  models: string[] | null;
  /**
   * Whether cells may run their `trainer` / `evaluator` commands here: the app's own workers
   * (the user's sweep on the user's machine) and `plw worker --allow-commands`.
   */
  allowCommands?: boolean;
}

/** A CellSpec with its references resolved on the worker's host: absolute paths or preset names. */
export interface ResolvedCell extends Omit<
  CellSpec,
  'model' | 'dataset' | 'benchmarks' | 'checkpoint'
> {
  /** A built-in preset name or an absolute model directory (Hugging Face layout). */
  model: string;
  /** An absolute dataset file. */
  dataset: string;
  benchmarks: BenchmarkSpec[];
  checkpointDir: string;
}

const sha256Text = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), {
    message: 'must be an absolute path',
  });

/** A FileRef as a remote worker accepts it: a built-in name, or an absolute path with its sha256. */
export const sharedFileRefSchema = z.union([
  z.strictObject({ builtin: z.string().min(1).max(200) }),
  z.strictObject({ path: absolutePath, sha256: sha256Text }),
]);

export type SharedFileRef = z.infer<typeof sharedFileRefSchema>;

/**
 * What a worker says when it opens: who and where it is, and the compute backend it runs on
 * with why the faster ones were skipped (docs/ARCHITECTURE.md "Compute backend").
 */
export const workerHelloSchema = z.strictObject({
  name: z.string().min(1).max(100),
  host: z.string().min(1).max(255),
  pid: z.number().int().positive(),
  backend: z.strictObject({
    name: z.string().min(1).max(100),
    reason: z.string().max(1000),
    skipped: z
      .array(z.strictObject({ name: z.string().max(100), why: z.string().max(1000) }))
      .max(20),
    /** WASM threads; null on backends without a thread setting. */
    threads: z.number().int().positive().nullable(),
    /** wasm-blas: OpenBLAS's core type (kernels) and threads; null otherwise. */
    blas: z
      .strictObject({
        coreType: z.string().max(100),
        threads: z.number().int().positive(),
        note: z.string().max(1000),
      })
      .nullable(),
    /** webgpu: the adapter and its limits (absent on other backends and older workers). */
    gpu: z
      .strictObject({
        vendor: z.string().max(200),
        architecture: z.string().max(200),
        device: z.string().max(200),
        description: z.string().max(500),
        /** Why it is a software adapter (SwiftShader, lavapipe), or null for a real GPU. */
        software: z.string().max(500).nullable(),
        maxBufferSize: z.number().nonnegative(),
        maxStorageBufferBindingSize: z.number().nonnegative(),
        maxStorageBuffersPerShaderStage: z.number().int().nonnegative(),
      })
      .optional(),
  }),
  /** ms since the epoch. */
  startedAt: z.number().int().nonnegative(),
  /** `plw worker --allow-commands`: it runs cells' external trainer / evaluator commands. */
  allowCommands: z.boolean().optional(),
});
export type WorkerHello = z.infer<typeof workerHelloSchema>;

/**
 * A dataset job for the Datasets view, or the hash of a file a queue job names: short work on
 * one file that still belongs off the main process (a JSON array dataset is parsed whole;
 * tokenizing takes seconds on large files; a model folder is gigabytes to hash).
 * Paths are absolute.
 */
export type DataJob =
  /** Token statistics (docs/METHOD.md "Dataset statistics") with a tokenizer spec: `byte`, a file or a model folder. */
  | { kind: 'stats'; path: string; tokenizer: string; short: boolean }
  /** Records [offset, offset + limit) with their rendered Alpaca prompt. */
  | { kind: 'preview'; path: string; offset: number; limit: number }
  /** Writes the short-completion version of `path` to `out` (same format), whole or not at all. */
  | { kind: 'make-short'; path: string; out: string; tokenizer: string }
  /** sha256 of a file or model folder as queue workers check it (src-worker/files.ts). */
  | { kind: 'sha256'; path: string };

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
  | { type: 'start'; spec: CellSpec; site: WorkerSite }
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
  /** null: an external trainer that did not report it. */
  lr: number | null;
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
  /** Sent once the worker has started its backend, before any progress (workerHelloSchema). */
  | { type: 'hello'; cellId: number; hello: WorkerHello }
  | { type: 'done'; cellId: number }
  | { type: 'error'; cellId: number; error: ErrorData };

export type WorkerEventType = WorkerEvent['type'];

const cellIdSchema = z.number().int().positive();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/** A figure JSON may have turned into null (NaN, ±Infinity do not survive JSON). */
const figure = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);
const optionalFigure = z.number().nullable().optional();

/**
 * A WorkerEvent as it arrives from outside the app's own processes (a queue worker's stream
 * entry): checked field by field before anything of it is written (fields it does not know are
 * dropped). The app's own workers' events are narrowed by `isWorkerEvent`.
 */
export const workerEventSchema: z.ZodType<WorkerEvent, unknown> = z.discriminatedUnion('type', [
  z.discriminatedUnion('phase', [
    z.object({
      type: z.literal('progress'),
      cellId: cellIdSchema,
      phase: z.literal('train'),
      step: z.number().int().nonnegative(),
      totalSteps: z.number().int().nonnegative(),
      loss: figure,
      promptLoss: z.number().nullable(),
      completionLoss: z.number().nullable(),
      lr: figure.nullable(),
      gradNorm: z.number().nullable(),
      tokensPerSec: z.number().nullable(),
      time: finite,
    }),
    z.object({
      type: z.literal('progress'),
      cellId: cellIdSchema,
      phase: z.literal('evaluate'),
      benchmark: z.string().max(200),
      done: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
    }),
  ]),
  z.object({
    type: z.literal('checkpoint'),
    cellId: cellIdSchema,
    step: z.number().int().nonnegative(),
    dir: z.string().max(4096),
    loaded: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('score'),
    cellId: cellIdSchema,
    benchmark: z.string().min(1).max(200),
    metric: z.string().min(1).max(200),
    value: finite,
    stderr: z.number().nullable(),
    n: optionalFigure,
    chance: optionalFigure,
    lower: optionalFigure,
    upper: optionalFigure,
  }),
  z.object({
    type: z.literal('log'),
    cellId: cellIdSchema,
    level: z.enum(['info', 'warn', 'error']),
    message: z.string().max(100_000),
  }),
  z.object({ type: z.literal('hello'), cellId: cellIdSchema, hello: workerHelloSchema }),
  z.object({ type: z.literal('done'), cellId: cellIdSchema }),
  z.object({
    type: z.literal('error'),
    cellId: cellIdSchema,
    error: z.object({
      code: z.enum(['bad_input', 'bad_usage', 'run_failed', 'cancelled', 'internal']),
      message: z.string().max(100_000),
      detail: z.unknown().optional(),
    }),
  }),
]);

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
      v.type === 'hello' ||
      v.type === 'done' ||
      v.type === 'error')
  );
}

export function isMainMessage(value: unknown): value is MainMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; spec?: unknown; site?: unknown; job?: unknown };
  return (
    v.type === 'cancel' ||
    (v.type === 'start' && typeof v.spec === 'object' && typeof v.site === 'object') ||
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
