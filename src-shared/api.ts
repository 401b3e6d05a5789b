/**
 * The API the renderer calls: ONE contract for every shell. Electron's preload, the web-mode
 * WebSocket client and the main-side registration are all typed against `PlwApi` and
 * `PlwEvents`, and every request payload is validated against `requestSchemas` on arrival.
 */
import { z } from 'zod';
import type { ErrorData } from './errors';

export const CELL_STATES = [
  'queued',
  'running',
  'evaluating',
  'paused',
  'done',
  'failed',
  'cancelled',
] as const;
export type CellState = (typeof CELL_STATES)[number];

export interface WorkspaceInfo {
  /** Compute backend the workers use, once one has reported it. */
  backend: string | null;
  workers: number;
  /**
   * Null when this machine's workers can use OpenBLAS (the plw-blas addon is built); otherwise
   * why not and how to fix it (the home page shows it unless the backend is a TensorFlow one).
   */
  blasAddon: string | null;
  /**
   * The pid of another process running this workspace's cells (a `plw sweep run` in a
   * terminal) while this one only shows them; null when this process runs them.
   */
  runnerPid: number | null;
}

/**
 * The demo's preparation (pre-training its base model takes minutes on a fresh workspace),
 * shown on the home page while it runs.
 */
export type DemoStatus =
  | { state: 'idle' }
  | {
      state: 'preparing';
      /** Pre-training steps done and planned; null until the first step is reported. */
      step: number | null;
      totalSteps: number | null;
      etaSeconds: number | null;
      startedAt: number;
    }
  | { state: 'failed'; error: string };

export interface SweepSummary {
  id: number;
  name: string;
  createdAt: string;
  cells: number;
  counts: Partial<Record<CellState, number>>;
  /** 0..1, `sweepProgress` of src-shared/progress.ts (training counts 0.9 of a cell). */
  progress: number;
  /** Seconds of training left at the running cells' pace (`sweepEta`); null before a pace. */
  etaSeconds: number | null;
}

export interface CellSummary {
  id: number;
  sweepId: number;
  plw: number;
  model: string;
  dataset: string;
  /** Replicate seed when the sweep has `seeds`; null otherwise. */
  seed: number | null;
  state: CellState;
  step: number;
  totalSteps: number | null;
  loss: number | null;
  attempts: number;
  etaSeconds: number | null;
  /** Benchmark name → primary metric value (acc, or bleu). */
  scores: Record<string, number>;
  error: string | null;
  /** The queue worker that runs or ran the cell (`plw worker --name`); null for local workers. */
  worker: string | null;
}

export interface SweepDetail extends SweepSummary {
  definition: unknown;
  benchmarks: string[];
  cellList: CellSummary[];
}

export interface MetricPoint {
  step: number;
  loss: number;
  promptLoss: number | null;
  completionLoss: number | null;
  lr: number;
  tokensPerSec: number | null;
  time: number;
}

export interface ScoreRow {
  benchmark: string;
  metric: string;
  value: number;
  stderr: number | null;
}

export interface LogRow {
  time: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface CellDetail {
  cell: CellSummary;
  scores: ScoreRow[];
  logs: LogRow[];
  /** As the cell's worker reported them: folders on that worker's host. */
  checkpoints: { step: number; path: string }[];
}

/** Where the app runs cells (the Settings page). URLs show their password as `***`. */
export interface QueueSettings {
  /** The queue URL saved in the workspace; null: this machine's own workers. */
  url: string | null;
  /**
   * Where cells go now; null: this machine's own workers. It differs from `url` until the app
   * opens the workspace again.
   */
  active: string | null;
}

/** A worker that said hello: the app's own (`local`) or a `plw worker` on a queue. */
export interface WorkerSummary {
  name: string;
  host: string;
  pid: number;
  /** The backend it runs on, e.g. `wasm-blas`. */
  backend: string;
  /** Why that backend, and why each faster one was skipped. */
  backendReason: string;
  skipped: { name: string; why: string }[];
  threads: number | null;
  /** wasm-blas: OpenBLAS's core type (kernels) and threads. */
  blas: { coreType: string; threads: number } | null;
  /** webgpu: the adapter and its limits, as the backend line names them. */
  gpu: string | null;
  /** Cells it runs now. */
  cells: { id: number; sweepId: number }[];
  /** ms since the epoch: its last event batch, hello, or sighting on the queue. */
  lastSeen: number;
  /** Connected to the queue when the runner last looked; null for the app's own workers. */
  connected: boolean | null;
  /** Runs cells' trainer/evaluator commands: the app's own, and `plw worker --allow-commands`. */
  allowCommands: boolean;
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ExportFile {
  filename: string;
  mime: string;
  content: string;
}

interface FixedEffects {
  intercept: number;
  w: number;
  w2: number;
  se: { intercept: number; w: number; w2: number };
  sigma2Benchmark: number;
  sigma2Residual: number;
  logLik: number;
}

/** One fitted group (a dataset, or dataset x model) as the analysis dashboard shows it. */
export interface AnalysisGroupView {
  label: string;
  dataset: string | null;
  model: string | null;
  n: number;
  benchmarks: number;
  exponent: number;
  /** 'mixed': the mixed model; 'ols': one informative benchmark, least squares. */
  method: 'mixed' | 'ols';
  reml: FixedEffects;
  ml: FixedEffects;
  /** Likelihood-ratio test (ML fits), shown beside the verdict's test. */
  lrt: { chisq: number; df: number; p: number };
  /** The verdict's test: Kenward–Roger F (exact F for one benchmark). */
  kr: { F: number; ndf: number; ddf: number; scaling: number; p: number };
  vertexW: number | null;
  lambda: number | null;
  /** Why there is no best PLW (convex fit, vertex outside [0, 1]). */
  lambdaReason: string | null;
  /** 95% parametric-bootstrap interval for lambda. */
  lambdaInterval: [number, number] | null;
  verdict: string;
  /** The smallest PLW effect the sweep could detect, in words (under the verdict). */
  power: string | null;
  /** Each benchmark's scores against w with its own quadratic fit (null if too few points). */
  curves: {
    benchmark: string;
    /** One per score, with its 95% interval (error bar) where known. */
    points: { plw: number; w: number; score: number; lower: number | null; upper: number | null }[];
    fit: { intercept: number; w: number; w2: number } | null;
    /** Chance level (dashed line); null when unknown. */
    chance: number | null;
  }[];
  /** Unweighted mean of the benchmarks per PLW (the paper's aggregate figure). */
  aggregate: { plw: number; w: number; score: number }[];
  /** Benchmarks and whether each was fitted, with what the data can and cannot say. */
  benchmarkStates: AnalysisBenchmarkState[];
  /** Flags in words, shown next to the verdict ("demo_gen: every score is 0 — excluded"). */
  notes: string[];
}

export interface AnalysisBenchmarkState {
  benchmark: string;
  excluded: boolean;
  flag: 'constant' | 'at_chance' | 'below_chance' | null;
  chance: number | null;
}

export interface AnalysisSummary {
  groups: AnalysisGroupView[];
  /** Groups that could not be fitted yet, and why, with their benchmarks (to re-include one). */
  skipped: {
    label: string;
    reason: string;
    notes: string[];
    benchmarkStates: AnalysisBenchmarkState[];
  }[];
}

/** One published file of a benchmark and where the app found it (null: not found). */
export interface BenchmarkFileStatus {
  name: string;
  role: 'eval' | 'fewshot';
  path: string | null;
}

/** A standard benchmark as the Benchmarks page and the sweep editor show it. */
export interface BenchmarkStatus {
  name: string;
  title: string;
  kind: 'multiple_choice' | 'generation';
  metrics: string[];
  defaultShots: number;
  /** Documents in the published evaluation file (the catalogue's figure). */
  documents: number | null;
  /** Documents counted in the file found, or null when it is missing. */
  found: number | null;
  files: BenchmarkFileStatus[];
  /** What a sweep's `data` should be for this task, or null when the files are missing. */
  data: string | null;
  /** Which file to put where, when something needed is missing (few-shot files included). */
  missing: string | null;
  source: string;
}

export interface BenchmarkLibrary {
  /** The benchmarks folder set in settings (kept in the workspace), or null. */
  folder: string | null;
  tasks: BenchmarkStatus[];
}

/** A dataset the workspace knows: a built-in, a file the user added, or one a sweep used. */
export interface DatasetEntry {
  /** What sweeps name it by: a built-in name, else the absolute file path. */
  source: string;
  name: string;
  path: string;
  builtin: boolean;
  /** Added by the user in the Datasets view (removable from the list). */
  registered: boolean;
  /** Sweeps that train on it. */
  sweeps: number;
  /** null when the file is gone. */
  sizeBytes: number | null;
  modifiedAt: number | null;
}

/** The dataset statistics of docs/METHOD.md "Dataset statistics" (docs/CLI.md "Datasets" `plw data stats --json`). */
export interface DatasetStatsView {
  count: number;
  instruction: { mean: number; std: number };
  input: { mean: number; std: number };
  completion: { mean: number; std: number };
  totalTokens: number;
  /** Mean completion / mean prompt tokens; null when every prompt is empty. */
  completionPromptRatio: number | null;
}

export interface DatasetStatsResult {
  source: string;
  tokenizer: string;
  short: boolean;
  /** Served from the workspace's cache (the file has not changed since). */
  cached: boolean;
  computedAt: number;
  stats: DatasetStatsView;
}

export interface DatasetPreview {
  offset: number;
  records: {
    index: number;
    instruction: string;
    input: string;
    output: string;
    /** The Alpaca prompt built from instruction and input: the tokens PLW weighs. */
    prompt: string;
  }[];
  more: boolean;
}

const id = z.number().int().positive();
const pathText = z.string().trim().min(1).max(4096);
const tokenizerSpec = pathText.default('byte');

/** Request payload schemas, one per channel. */
export const requestSchemas = {
  'workspace:info': z.object({}).strict(),
  'workers:list': z.object({}).strict(),
  'settings:queue': z.object({}).strict(),
  /** null or empty: this machine's own workers. */
  'settings:set-queue': z.object({ url: z.string().trim().max(4096).nullable() }).strict(),
  'sweeps:list': z.object({}).strict(),
  'sweeps:get': z.object({ id }).strict(),
  'sweeps:validate': z.object({ definition: z.unknown() }).strict(),
  'sweeps:create': z.object({ definition: z.unknown(), start: z.boolean().default(true) }).strict(),
  'sweeps:demo': z.object({}).strict(),
  'demo:status': z.object({}).strict(),
  'sweeps:action': z
    .object({ id, action: z.enum(['pause', 'resume', 'cancel', 'retry-failed']) })
    .strict(),
  'cells:action': z
    .object({
      ids: z.array(id).min(1).max(10_000),
      action: z.enum(['pause', 'resume', 'cancel', 'retry']),
    })
    .strict(),
  'cells:get': z.object({ id }).strict(),
  'cells:metrics': z
    .object({
      ids: z.array(id).min(1).max(64),
      /** Downsample each curve to at most this many points (LTTB); 0 = all. */
      maxPoints: z.number().int().min(0).max(100_000).default(2000),
    })
    .strict(),
  'analysis:get': z
    .object({
      sweepId: id,
      splitModels: z.boolean().default(false),
      zscore: z.boolean().default(false),
      /** Per benchmark: include (true) or exclude (false) it; others follow the default. */
      benchmarks: z.record(z.string().max(200), z.boolean()).default({}),
    })
    .strict(),
  'benchmarks:list': z.object({}).strict(),
  'benchmarks:set-folder': z.object({ folder: pathText.nullable() }).strict(),
  'datasets:list': z.object({}).strict(),
  'datasets:add': z.object({ path: pathText }).strict(),
  'datasets:remove': z.object({ source: pathText }).strict(),
  'datasets:stats': z
    .object({
      source: pathText,
      tokenizer: tokenizerSpec,
      short: z.boolean().default(false),
      /** Recompute even when the cache is current. */
      refresh: z.boolean().default(false),
    })
    .strict(),
  'datasets:preview': z
    .object({
      source: pathText,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(200).default(20),
    })
    .strict(),
  'datasets:make-short': z
    .object({ source: pathText, out: pathText.optional(), tokenizer: tokenizerSpec })
    .strict(),
  'export:build': z
    .object({
      sweepId: id,
      what: z.enum(['results', 'analysis', 'figure-benchmarks', 'figure-aggregate']),
      format: z.enum(['csv', 'md', 'tex', 'json', 'svg']),
    })
    .strict(),
} as const;

export type Channel = keyof typeof requestSchemas;
export type RequestOf<C extends Channel> = z.input<(typeof requestSchemas)[C]>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

/** What each channel resolves to. */
export interface ResponseMap {
  'workspace:info': WorkspaceInfo;
  'workers:list': WorkerSummary[];
  'settings:queue': QueueSettings;
  'settings:set-queue': QueueSettings;
  'sweeps:list': SweepSummary[];
  'sweeps:get': SweepDetail;
  'sweeps:validate': { ok: boolean; issues: ValidationIssue[]; cells: number };
  'sweeps:create': { id: number; created: boolean };
  'sweeps:demo': { id: number; created: boolean };
  'demo:status': DemoStatus;
  'sweeps:action': { changed: number };
  'cells:action': { changed: number };
  'cells:get': CellDetail;
  'cells:metrics': Record<number, MetricPoint[]>;
  'analysis:get': AnalysisSummary;
  'export:build': ExportFile;
  'benchmarks:list': BenchmarkLibrary;
  'benchmarks:set-folder': BenchmarkLibrary;
  'datasets:list': DatasetEntry[];
  'datasets:add': DatasetEntry;
  'datasets:remove': { removed: boolean };
  'datasets:stats': DatasetStatsResult;
  'datasets:preview': DatasetPreview;
  'datasets:make-short': { dataset: DatasetEntry; records: number; transformed: number };
}

/** The renderer-facing API: one async function per channel. */
export type PlwApi = {
  [C in Channel]: (request: RequestOf<C>) => Promise<ResponseMap[C]>;
};

/** Main-side handlers receive the validated (defaults applied) request. */
export type PlwHandlers = {
  [C in Channel]: (request: ParsedRequestOf<C>) => Promise<ResponseMap[C]> | ResponseMap[C];
};

/** Events pushed from main to every subscribed window or web client (throttled). */
export interface PlwEvents {
  'cell:progress': {
    cellId: number;
    sweepId: number;
    point: MetricPoint;
    totalSteps: number | null;
    etaSeconds: number | null;
  };
  'cell:state': { cellId: number; sweepId: number; state: CellState; error: string | null };
  'cell:score': { cellId: number; sweepId: number; score: ScoreRow };
  'cell:log': { cellId: number; sweepId: number; log: LogRow };
  'sweeps:changed': { sweepId: number };
  /** The demo's preparation moved on (a pre-training step, done or failed). */
  'demo:progress': DemoStatus;
}
export type EventName = keyof PlwEvents;

/** An API client as the renderer sees it: the calls plus event subscription. */
export interface PlwClient {
  api: PlwApi;
  on<E extends EventName>(event: E, listener: (payload: PlwEvents[E]) => void): () => void;
}

/** What Electron's preload exposes as `window.plwBridge` (contextBridge), and nothing more. */
export interface PlwBridge {
  invoke(
    channel: Channel,
    payload: unknown,
  ): Promise<{ ok: boolean; result?: unknown; error?: ErrorData }>;
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}

/** Messages on the web-mode WebSocket. */
export type WireMessage =
  | { kind: 'request'; id: number; channel: Channel; payload: unknown }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: ErrorData }
  | { kind: 'event'; event: EventName; payload: unknown };

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);
}
