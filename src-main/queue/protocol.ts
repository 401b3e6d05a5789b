/**
 * What crosses Redis between the app and `plw worker`: the BullMQ job that carries one cell
 * attempt, and the stream entries that carry the cell's events back. Every job is validated
 * against `cellJobSchema` by the worker before anything runs.
 */
import { z } from 'zod';
import { SWEEP_FEWSHOT_SAMPLERS, trainSchema } from '../../src-shared/sweep';
import { commandSpecSchema } from '../../src-shared/engine';
import {
  sharedFileRefSchema,
  workerEventSchema,
  type WorkerEvent,
} from '../../src-shared/protocol';

/** One BullMQ queue for every workspace; a job names its workspace. */
export const QUEUE_NAME = 'plw-cells';

/** BullMQ retries a cell whose training process crashed this many times in all, with backoff. */
export const JOB_ATTEMPTS = 3;

/** A workspace's id: random hex, stored in its database (queue_state), safe in keys and paths. */
const workspaceId = z.string().regex(/^[0-9a-f]{16,64}$/, 'must be 16 to 64 hex digits');

export const cellJobSchema = z.strictObject({
  v: z.literal(1),
  workspace: workspaceId,
  cellId: z.number().int().positive(),
  sweepId: z.number().int().positive(),
  attempt: z.number().int().positive(),
  model: sharedFileRefSchema,
  dataset: sharedFileRefSchema,
  plw: z.number().min(0).max(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  /** Evaluation seed (the sweep's), shared by replicates; the training seed when absent. */
  evalSeed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  train: trainSchema,
  benchmarks: z
    .array(
      z.strictObject({
        task: z.string().min(1).max(200),
        data: sharedFileRefSchema.optional(),
        shots: z.number().int().min(0).optional(),
        limit: z.number().int().positive().optional(),
        fewshotSampler: z.enum(SWEEP_FEWSHOT_SAMPLERS).optional(),
      }),
    )
    .max(100),
  /** Last checkpoint step the app recorded, or null to start from the base model. */
  resumeStep: z.number().int().min(0).nullable(),
  /** External trainer / evaluator (src-shared/engine.ts); run only by `--allow-commands` workers. */
  engine: z
    .strictObject({
      trainer: commandSpecSchema.optional(),
      evaluator: commandSpecSchema.optional(),
    })
    .optional(),
  /** Set by the app when the user paused or cancelled the cell: a worker taking it skips it. */
  cancelled: z.boolean().optional(),
});
export type CellJob = z.infer<typeof cellJobSchema>;

/**
 * The BullMQ job id of one cell attempt: re-sending it is a no-op while the job exists.
 * `claimedAt` is when the app claimed the attempt (the cell's `started_at`): a retry resets a
 * cell's attempts, so without it the retried cell's attempt 1 would reuse the id of its first
 * attempt 1, and a late entry of that old run would pass for the new one's.
 */
export function jobIdFor(
  workspace: string,
  sweepId: number,
  cellId: number,
  attempt: number,
  claimedAt: number,
): string {
  return `${workspace}-s${sweepId}-c${cellId}-a${attempt}-t${claimedAt.toString(36)}`;
}

/** The persisted stream a workspace's workers append cell events to (read and trimmed by the app). */
export function eventStreamKey(workspace: string): string {
  return `plw:${workspace}:events`;
}

/** Redis hash cell id → job id of the attempt the app has not concluded yet. */
export function cellJobsKey(workspace: string): string {
  return `plw:${workspace}:cell-jobs`;
}

/**
 * Redis hash worker name → its hello (src-shared/protocol.ts workerHelloSchema): written by each
 * `plw worker` when it opens, removed when it stops; the app lists it on its Workers page.
 */
export const WORKERS_KEY = 'plw:workers';

/** Pub/sub channel on which the app asks workers to stop a running job (pause, cancel). */
export const CONTROL_CHANNEL = 'plw:control';

/** One stream entry: a batch of one job run's events, in order. */
export interface EventBatch {
  job: string;
  /** Random id of one processing of the job (a stalled job taken again gets a new run). */
  run: string;
  worker: string;
  events: WorkerEvent[];
}

/** A stream entry read back: its batch, or why it is refused (said once, then skipped). */
export type ParsedEntry = { batch: EventBatch } | { refused: string };

const batchEventsSchema = z.array(workerEventSchema).max(100_000);

/**
 * Reads a stream entry's field list (`[k1, v1, k2, v2, …]`) back into a batch whose every event
 * is checked against `workerEventSchema`: an entry with one bad event is refused whole.
 */
export function parseEventBatch(fields: readonly string[]): ParsedEntry {
  const get = (k: string): string | undefined => {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === k) return fields[i + 1];
    return undefined;
  };
  const job = get('job');
  const run = get('run');
  const worker = get('worker');
  const events = get('events');
  if (job === undefined || run === undefined || worker === undefined || events === undefined) {
    return { refused: 'not a batch of events (needs the fields job, run, worker and events)' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(events);
  } catch {
    return { refused: `job ${job}: its events are not JSON` };
  }
  const checked = batchEventsSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const [index, ...field] = issue.path;
    return {
      refused:
        `job ${job}: ` +
        (typeof index === 'number'
          ? `event ${index}, field "${field.join('.')}": ${issue.message}`
          : `its events: ${issue.message}`),
    };
  }
  return { batch: { job, run, worker, events: checked.data } };
}

/** The cell attempt a job id names. */
export interface JobOfCell {
  workspace: string;
  sweepId: number;
  cellId: number;
  attempt: number;
  /** When the attempt was claimed; null in ids made before it was part of them. */
  claimedAt: number | null;
}

/** What a job id (`jobIdFor`) names, or null for an id of another form. */
export function parseJobId(id: string): JobOfCell | null {
  const m = /^([0-9a-f]{16,64})-s(\d+)-c(\d+)-a(\d+)(?:-t([0-9a-z]{1,12}))?$/.exec(id);
  if (m === null) return null;
  return {
    workspace: m[1]!,
    sweepId: Number(m[2]),
    cellId: Number(m[3]),
    attempt: Number(m[4]),
    claimedAt: m[5] === undefined ? null : parseInt(m[5], 36),
  };
}
