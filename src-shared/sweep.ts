/**
 * The sweep file of docs/CLI.md "Sweeps": its schema (zod), the defaults of docs/METHOD.md "Sweep" (Stanford Alpaca's
 * recipe), expansion into cells, and the canonical form whose hash identifies a sweep so that
 * running the same file again continues it. Pure: checks that need the file system (do the
 * model and dataset paths exist?) live in src-main/sweeps/.
 */
import { z } from 'zod';
import { canonicalTaskName, STANDARD_TASK_NAMES } from './catalogue';
import { commandSpecSchema, type CellEngine } from './engine';
import { InputError, UsageError } from './errors';

/** The PLW grid of docs/METHOD.md "Sweep": w = PLW^0.30103 spreads these evenly-ish over [0, 1]. */
export const DEFAULT_PLW_GRID: readonly number[] = [
  0, 0.0005, 0.002236, 0.01, 0.02463, 0.05, 0.1, 0.2463, 0.5, 1,
];

/** Benchmarks of docs/CLI.md "Models" (`plw eval --task`); each needs its data file in a sweep. */
export const STANDARD_TASKS: readonly string[] = STANDARD_TASK_NAMES;

const positiveInt = z.number().int().positive();

/**
 * The training recipe's defaults, in one table: the sweep file's `train`, `plw train`'s flags
 * and runTraining (src-worker/train/run.ts) all take them from here. Alpaca's are Stanford
 * Alpaca's train.py settings (docs/METHOD.md "Sweep"); `seed` is the sweep's and `plw train --seed`'s.
 */
export const TRAIN_DEFAULTS = {
  /** Alpaca's num_train_epochs; used when neither `steps` nor `epochs` is given. */
  epochs: 3,
  /** Alpaca's learning_rate (7B). */
  lr: 2e-5,
  /** Alpaca's global batch: 4 GPUs × 4 per device × 8 accumulation steps. */
  batchSize: 128,
  /** Alpaca's model_max_length. */
  maxLength: 512,
  /** Alpaca's warmup_ratio. */
  warmupRatio: 0.03,
  /** Alpaca's lr_scheduler_type. */
  schedule: 'cosine',
  /** Alpaca's weight_decay. */
  weightDecay: 0,
  /** HF Trainer's max_grad_norm, which Alpaca keeps. */
  clip: 1,
  /** A killed worker or run loses at most 50 steps; a checkpoint costs far less than 50. */
  checkpointEvery: 50,
  /** HF Trainer's random sampler; off only to keep a file's order. */
  shuffle: true,
  /** HF Trainer's default seed. */
  seed: 42,
} as const;

/** Fine-tuning settings shared by every cell; defaults from TRAIN_DEFAULTS. */
export const trainSchema = z
  .strictObject({
    /** Optimizer steps; exclusive with `epochs`. */
    steps: positiveInt.optional(),
    /** Passes over the dataset; TRAIN_DEFAULTS.epochs when neither this nor `steps` is set. */
    epochs: z.number().positive().optional(),
    lr: z.number().positive().default(TRAIN_DEFAULTS.lr),
    /** Global batch, reached by gradient accumulation over micro-batches. */
    batchSize: positiveInt.default(TRAIN_DEFAULTS.batchSize),
    microBatchSize: positiveInt.optional(),
    maxLength: z.number().int().min(2).default(TRAIN_DEFAULTS.maxLength),
    warmupRatio: z.number().min(0).max(1).default(TRAIN_DEFAULTS.warmupRatio),
    schedule: z.enum(['cosine', 'constant']).default(TRAIN_DEFAULTS.schedule),
    weightDecay: z.number().min(0).default(TRAIN_DEFAULTS.weightDecay),
    /** Global gradient-norm clip; 0 turns clipping off. */
    clip: z.number().min(0).default(TRAIN_DEFAULTS.clip),
    /** Save a resumable checkpoint every this many steps and at the end (0: only at the end). */
    checkpointEvery: z.number().int().min(0).default(TRAIN_DEFAULTS.checkpointEvery),
    shuffle: z.boolean().default(TRAIN_DEFAULTS.shuffle),
  })
  .superRefine((t, ctx) => {
    if (t.steps !== undefined && t.epochs !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: 'give "steps" or "epochs", not both',
      });
    }
    if (t.microBatchSize !== undefined && t.batchSize % t.microBatchSize !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['microBatchSize'],
        message: `must divide batchSize (${t.batchSize})`,
      });
    }
  })
  .transform((t) =>
    t.steps === undefined && t.epochs === undefined ? { ...t, epochs: TRAIN_DEFAULTS.epochs } : t,
  );

/** The one shape of a run's training settings (the sweep file's `train`, docs/CLI.md "Sweeps"). */
export type TrainSettings = z.output<typeof trainSchema>;

/** The `plw train` flag of each training setting (the sweep file's `train` names the field). */
export const TRAIN_FLAGS: Readonly<Record<keyof TrainSettings, string>> = {
  steps: '--steps',
  epochs: '--epochs',
  lr: '--lr',
  batchSize: '--batch-size',
  microBatchSize: '--micro-batch-size',
  maxLength: '--max-len',
  warmupRatio: '--warmup-ratio',
  schedule: '--schedule',
  weightDecay: '--weight-decay',
  clip: '--clip',
  checkpointEvery: '--checkpoint-every',
  shuffle: '--no-shuffle',
};

/**
 * Training settings checked against `trainSchema`, the one table the sweep file is checked
 * against too, and completed with its defaults. Throws a UsageError naming the `plw train`
 * flag with the schema's own message: the CLI, `runTraining` and the sweep file give the same
 * answer for the same value.
 */
export function checkTrainSettings(partial: Partial<TrainSettings> = {}): TrainSettings {
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const parsed = trainSchema.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path[0];
  const flag =
    typeof field === 'string' && field in TRAIN_FLAGS
      ? TRAIN_FLAGS[field as keyof TrainSettings]
      : String(field);
  throw new UsageError(`${flag}: ${issue.message}`);
}

/**
 * Settings with every field a caller left out (or undefined) taken from TRAIN_DEFAULTS, epochs
 * only when neither steps nor epochs is given. Values are not validated here: runTraining
 * checks them, naming the `plw train` flag.
 */
export function resolveTrainSettings(partial: Partial<TrainSettings> = {}): TrainSettings {
  const given = Object.fromEntries(
    Object.entries(partial).filter(([, v]) => v !== undefined),
  ) as Partial<TrainSettings>;
  const { epochs, seed: _seed, ...defaults } = TRAIN_DEFAULTS;
  const resolved: TrainSettings = { ...defaults, ...given };
  if (resolved.steps === undefined && resolved.epochs === undefined) resolved.epochs = epochs;
  return resolved;
}

/** Few-shot samplers a sweep's benchmark may name (`plw eval --fewshot-sampler`). */
export const SWEEP_FEWSHOT_SAMPLERS = ['lm-eval', 'leaderboard'] as const;
export type SweepFewshotSampler = (typeof SWEEP_FEWSHOT_SAMPLERS)[number];

const benchmarkObject = z.strictObject({
  task: z.string().min(1),
  data: z.string().min(1).optional(),
  shots: z.number().int().min(0).optional(),
  limit: positiveInt.optional(),
  // A refined string, not z.enum: inside the string-or-object union an enum mismatch is
  // reported as the union's "Invalid input" instead of naming this field.
  fewshotSampler: z
    .string()
    .refine((v) => (SWEEP_FEWSHOT_SAMPLERS as readonly string[]).includes(v), {
      message: `expected one of ${SWEEP_FEWSHOT_SAMPLERS.map((v) => `"${v}"`).join(', ')}`,
    })
    .transform((v) => v as SweepFewshotSampler)
    .optional(),
});

/** One benchmark of a sweep: a task and, for the standard tasks, its local data file. */
export interface BenchmarkSpec {
  task: string;
  data?: string;
  shots?: number;
  limit?: number;
  /** Which few-shot draws (lm-eval's, the default, or the Open LLM Leaderboard's). */
  fewshotSampler?: SweepFewshotSampler;
}

function noDuplicates<T>(key: (v: T) => string) {
  return (values: T[], ctx: z.RefinementCtx): void => {
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      const k = key(v);
      const first = seen.get(k);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `duplicate of entry ${first} (${k})`,
        });
      } else {
        seen.set(k, i);
      }
    });
  };
}

function axis<T extends z.ZodType>(item: T, key: (v: z.output<T>) => string) {
  return z.array(item).min(1, 'must not be empty').superRefine(noDuplicates(key));
}

function sweepSchema(builtinTasks: readonly string[]) {
  const known = [...STANDARD_TASKS, ...builtinTasks];
  const benchmark = z
    .union([z.string().min(1), benchmarkObject])
    .transform((b): BenchmarkSpec => (typeof b === 'string' ? { task: b } : b))
    // lm-eval's spelling is canonical; older spellings (aliases) still read.
    .transform((b): BenchmarkSpec => ({ ...b, task: canonicalTaskName(b.task) ?? b.task }))
    .superRefine((b, ctx) => {
      if (!known.includes(b.task)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown benchmark "${b.task}"; expected one of ${known.join(', ')}`,
        });
      } else if (STANDARD_TASKS.includes(b.task) && b.data === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `benchmark "${b.task}" needs its data file: {"task": "${b.task}", "data": PATH}`,
        });
      }
    });
  return z
    .object({
      name: z.string().trim().min(1, 'must not be empty'),
      plw: axis(
        z.number().min(0, 'PLW must be in [0, 1]').max(1, 'PLW must be in [0, 1]'),
        String,
      ).default([...DEFAULT_PLW_GRID]),
      /** A path or preset, or `{"model", "trainer", "evaluator"}` overriding the sweep's engine. */
      models: axis(modelEntry, (m) => (typeof m === 'string' ? m : m.model)),
      datasets: axis(z.string().min(1), (s) => s),
      benchmarks: z
        .array(benchmark)
        .superRefine(noDuplicates((b: BenchmarkSpec) => b.task))
        .default([]),
      train: trainSchema.default(trainSchema.parse({})),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(TRAIN_DEFAULTS.seed),
      /**
       * Replicates: every (model, dataset, PLW) cell runs once per seed, training with that seed
       * (evaluation keeps `seed`, so replicates score the same items). Absent: one run, `seed`.
       */
      seeds: axis(
        z
          .number()
          .int('a seed must be a whole number')
          .min(0, 'a seed must be in [0, 2^32 - 1]')
          .max(2 ** 32 - 1, 'a seed must be in [0, 2^32 - 1]'),
        String,
      ).optional(),
      /** External trainer / evaluator of every cell (src-shared/engine.ts); absent: built in. */
      trainer: commandSpecSchema.optional(),
      evaluator: commandSpecSchema.optional(),
    })
    .transform(({ models, ...rest }) => {
      const overrides = Object.fromEntries(
        models.flatMap((m) => (typeof m === 'string' ? [] : [[m.model, engineOverride(m)]])),
      );
      return {
        ...rest,
        models: models.map((m) => (typeof m === 'string' ? m : m.model)),
        ...(Object.keys(overrides).length === 0 ? {} : { modelEngines: overrides }),
      };
    });
}

/** One model's own engine: a command, or null for the built-in engine; absent keeps the sweep's. */
export interface EngineOverride {
  trainer?: z.output<typeof commandSpecSchema> | null;
  evaluator?: z.output<typeof commandSpecSchema> | null;
}

const modelEntry = z.union([
  z.string().min(1),
  z.strictObject({
    model: z.string().min(1),
    trainer: commandSpecSchema.nullable().optional(),
    evaluator: commandSpecSchema.nullable().optional(),
  }),
]);

function engineOverride(m: EngineOverride): EngineOverride {
  return {
    ...(m.trainer === undefined ? {} : { trainer: m.trainer }),
    ...(m.evaluator === undefined ? {} : { evaluator: m.evaluator }),
  };
}

/** The engine of the cells of `model`: its own override, else the sweep's commands. */
export function engineFor(
  def: Pick<SweepDefinition, 'trainer' | 'evaluator' | 'modelEngines'>,
  model: string,
): CellEngine {
  const own = def.modelEngines?.[model] ?? {};
  const trainer = own.trainer === undefined ? def.trainer : own.trainer;
  const evaluator = own.evaluator === undefined ? def.evaluator : own.evaluator;
  return {
    ...(trainer == null ? {} : { trainer }),
    ...(evaluator == null ? {} : { evaluator }),
  };
}

/** A validated sweep with every default filled in (unknown top-level fields dropped). */
export type SweepDefinition = z.output<ReturnType<typeof sweepSchema>>;

export interface ParseSweepOptions {
  /** Built-in (demo) task names usable without a data file. */
  builtinTasks?: readonly string[];
}

/** `plw[2]`, `train.lr`, `benchmarks[0].task`: the field path as a user writes it. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Validates a parsed sweep file. Throws an InputError naming the file and the field of the
 * first problem, e.g. `sweep.json: field "plw[1]": PLW must be in [0, 1]`.
 */
export function parseSweep(
  raw: unknown,
  file: string,
  options: ParseSweepOptions = {},
): SweepDefinition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError({ file }, 'a sweep file must hold one JSON object');
  }
  const result = sweepSchema(options.builtinTasks ?? []).safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldPath(issue.path);
  const message = /received undefined$/.test(issue.message)
    ? 'required'
    : issue.message.replace(/^Invalid input: /, '');
  throw new InputError(field === '' ? { file } : { file, field }, message);
}

/** One cell of the grid: a fine-tuning run with its own PLW, base model and dataset. */
export interface CellKey {
  /** Position in the expansion order; stable for a given definition. */
  idx: number;
  plw: number;
  model: string;
  dataset: string;
  /** The replicate's training seed; null when the sweep has no `seeds` (it uses `seed`). */
  seed: number | null;
}

/**
 * Expands the grid model x dataset x PLW, PLW varying fastest, so the runs of one model and
 * dataset (which share data loading and one regression) sit next to each other. With `seeds`,
 * the whole grid repeats once per seed, so a first complete replicate comes in early.
 */
export function expandCells(
  def: Pick<SweepDefinition, 'plw' | 'models' | 'datasets' | 'seeds'>,
): CellKey[] {
  const cells: CellKey[] = [];
  for (const seed of def.seeds ?? [null]) {
    for (const model of def.models) {
      for (const dataset of def.datasets) {
        for (const plw of def.plw) cells.push({ idx: cells.length, plw, model, dataset, seed });
      }
    }
  }
  return cells;
}

/**
 * JSON with object keys sorted at every level, so two definitions that differ only in key
 * order or whitespace get the same text (and the same identity hash).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
