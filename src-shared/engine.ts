/**
 * The external cell engine's contract (README "Your own trainer and lm-evaluation-harness"): a
 * sweep's `trainer` and `evaluator` commands, the placeholders they may use, their validation
 * (before anything runs) and their expansion into one cell's argv. Pure: the worker runs the
 * expanded commands (src-worker/external/), main only validates and carries them as data.
 */
import { z } from 'zod';

/** Every placeholder a command may use, as `{name}` inside any argument, `env` value or `cwd`. */
export const PLACEHOLDERS = [
  'model',
  'dataset',
  'plw',
  'seed',
  'out',
  'resume',
  'steps',
  'epochs',
  'lr',
  'batch_size',
  'max_length',
  'cell',
  'sweep',
  'tasks',
  'eval_out',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** `{name}` where name looks like an identifier; other braces (JSON in an argument) stay text. */
const PLACEHOLDER_RE = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Default wait between SIGTERM and SIGKILL of a command's process group. */
export const DEFAULT_GRACE_SECONDS = 30;

/** The first unknown placeholder in `text`, or null. */
export function unknownPlaceholder(text: string): string | null {
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) return m[1]!;
  }
  return null;
}

function placeholderCheck(text: string, ctx: z.RefinementCtx): void {
  const bad = unknownPlaceholder(text);
  if (bad !== null) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown placeholder {${bad}}; expected one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    });
  }
}

const argument = z
  .string({ error: 'expected an argv array of strings' })
  .max(65536)
  .superRefine(placeholderCheck);

/** A `trainer` or `evaluator`: an argv array (never a shell line), its environment and folder. */
export const commandSpecSchema = z.strictObject({
  command: z
    .array(argument, { error: 'expected an argv array of strings, e.g. ["python3", "train.py"]' })
    .min(1, 'expected an argv array of strings with the executable first')
    .max(1000)
    .superRefine((argv, ctx) => {
      if (argv[0] === '') ctx.addIssue({ code: 'custom', path: [0], message: 'empty executable' });
    }),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'),
      z.string({ error: 'expected a string' }).max(65536).superRefine(placeholderCheck),
    )
    .optional(),
  cwd: z.string().min(1).max(4096).superRefine(placeholderCheck).optional(),
  grace_seconds: z.number().min(0).max(86_400).optional(),
});
export type CommandSpec = z.output<typeof commandSpecSchema>;

/** A cell's engine: external commands for its training and/or scoring; absent: built in. */
export interface CellEngine {
  trainer?: CommandSpec;
  evaluator?: CommandSpec;
}

/** The values of one cell's placeholders (strings as they enter argv). */
export type PlaceholderValues = Record<Placeholder, string>;

/** Replaces every placeholder in `text` (all are known: the schema checked them). */
export function fill(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER_RE, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name as Placeholder] : whole,
  );
}

/** One command made concrete for a cell: argv, environment additions and working folder. */
export interface ExpandedCommand {
  argv: string[];
  env: Record<string, string>;
  cwd: string | undefined;
  graceSeconds: number;
}

export function expandCommand(spec: CommandSpec, values: PlaceholderValues): ExpandedCommand {
  return {
    argv: spec.command.map((a) => fill(a, values)),
    env: Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, fill(v, values)])),
    cwd: spec.cwd === undefined ? undefined : fill(spec.cwd, values),
    graceSeconds: spec.grace_seconds ?? DEFAULT_GRACE_SECONDS,
  };
}

/** A number as a placeholder value: shortest round-trip text, empty when unset. */
export function numberText(v: number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}
