/**
 * Runs a cell whose engine is external (src-shared/engine.ts): the sweep's `trainer` command
 * trains the model into `{out}`, then the `evaluator` command scores it (its lm-eval
 * `results*.json` become the cell's scores) or, without one, the built-in evaluator does.
 *
 * The cell's folder (its checkpoint ArtifactRef) holds `final/` (`{out}`), `eval/`
 * (`{eval_out}`), the metrics journal (../train/journal.ts) and `external.json`, the
 * checkpoints the trainer reported, so a later attempt gets the newest as `{resume}`.
 * A trainer that exits non-zero or is killed fails the attempt: the worker process exits
 * non-zero (AttemptFailedError), so main retries it like a crashed built-in cell.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  commandSpecSchema,
  expandCommand,
  numberText,
  type CommandSpec,
  type ExpandedCommand,
  type PlaceholderValues,
} from '../../src-shared/engine';
import { InputError, PlwError } from '../../src-shared/errors';
import type { ResolvedCell, WorkerEvent, WorkerSite } from '../../src-shared/protocol';
import { parseLmEvalResults } from '../eval/lm-eval-results';
import { journalStep, journalUpTo, type TrainProgress } from '../train/journal';
import { isAllowed } from '../files';
import { parseTrainerLine } from './lines';
import { resolveExecutable, startCommand, type CommandExit } from './process';

/** The attempt failed in a way a retry may fix (the trainer crashed or was killed). */
export class AttemptFailedError extends PlwError {
  constructor(message: string) {
    super('run_failed', message);
    this.name = 'AttemptFailedError';
  }
}

/** Checkpoints the trainer reported, newest last. */
const STATE_FILE = 'external.json';

interface ExternalState {
  checkpoints: { step: number; dir: string }[];
}

function readState(cellDir: string): ExternalState {
  const file = join(cellDir, STATE_FILE);
  if (!existsSync(file)) return { checkpoints: [] };
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as ExternalState;
    return Array.isArray(s.checkpoints) ? s : { checkpoints: [] };
  } catch {
    return { checkpoints: [] };
  }
}

function writeState(cellDir: string, state: ExternalState): void {
  const file = join(cellDir, STATE_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

/** The worker checks the commands again: the job is data from elsewhere. */
function validated(role: 'trainer' | 'evaluator', raw: unknown): CommandSpec {
  const r = commandSpecSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [
    role,
    ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)),
  ]
    .join('')
    .replace(/\.\[/g, '[');
  throw new PlwError('bad_input', `field "${field}": ${issue.message}`);
}

function describeExit(e: CommandExit): string {
  return e.signal !== null ? `was killed by ${e.signal}` : `exited with status ${e.code}`;
}

function isNonEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** Every `results*.json` under `dir` (lm-eval writes `<model>/results_<time>.json`). */
function findResults(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^results.*\.json$/.test(e.name)) found.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found.sort();
}

export async function runExternalCell(
  spec: ResolvedCell,
  report: (event: WorkerEvent) => void,
  signal: AbortSignal,
  site: WorkerSite,
): Promise<void> {
  const cellId = spec.cellId;
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info'): void =>
    report({ type: 'log', cellId, level, message });
  if (site.allowCommands !== true) {
    throw new PlwError(
      'bad_input',
      `worker ${site.name}: refuses to run the cell's trainer/evaluator commands (start it with plw worker --allow-commands)`,
    );
  }
  const trainer =
    spec.engine?.trainer === undefined ? null : validated('trainer', spec.engine.trainer);
  const evaluator =
    spec.engine?.evaluator === undefined ? null : validated('evaluator', spec.engine.evaluator);
  const cellDir = spec.checkpointDir;
  const out = join(cellDir, 'final');
  const evalOut = join(cellDir, 'eval');
  if (spec.resumeStep === null) rmSync(cellDir, { recursive: true, force: true });
  if (trainer !== null) mkdirSync(out, { recursive: true });
  else mkdirSync(cellDir, { recursive: true });
  const state = readState(cellDir);
  const last = state.checkpoints.at(-1) ?? null;
  const t = spec.train;
  const values: PlaceholderValues = {
    model: spec.model,
    dataset: spec.dataset,
    plw: String(spec.plw),
    seed: String(spec.seed),
    // Without a trainer the cell's model is the base model: the evaluator scores it as it is.
    out: trainer === null ? spec.model : out,
    resume: last?.dir ?? '',
    steps: numberText(t.steps),
    epochs: numberText(t.epochs),
    lr: numberText(t.lr),
    batch_size: numberText(t.batchSize),
    max_length: numberText(t.maxLength),
    cell: String(cellId),
    sweep: String(spec.sweepId),
    tasks: spec.benchmarks.map((b) => b.task).join(','),
    eval_out: evalOut,
  };
  const commands: [string, ExpandedCommand][] = [];
  if (trainer !== null) commands.push(['trainer', expandCommand(trainer, values)]);
  if (evaluator !== null) commands.push(['evaluator', expandCommand(evaluator, values)]);
  // Nothing runs unless every command can: a folder outside --allow, a missing executable.
  for (const [role, cmd] of commands) {
    if (cmd.cwd !== undefined && site.allow !== null && !isAllowed(cmd.cwd, site.allow)) {
      throw new PlwError(
        'bad_input',
        `worker ${site.name}: refused ${cmd.cwd} (${role} cwd): outside the folders it may read (--allow ${site.allow.join(', ')})`,
      );
    }
    resolveExecutable(role, cmd);
  }

  if (trainer !== null) {
    const from = last?.step ?? 0;
    report({ type: 'checkpoint', cellId, step: from, dir: last?.dir ?? cellDir, loaded: true });
    for (const e of journalUpTo(cellDir, from)) {
      if (e.step > (spec.resumeStep ?? 0)) report({ ...e, cellId });
    }
    if (last !== null) log(`trainer resumes from checkpoint ${last.step}: ${last.dir}`);
    await train(expandCommand(trainer, values), from);
    if (signal.aborted) return;
  } else {
    log('no trainer: the base model is scored as it is');
  }
  const modelDir = trainer === null ? spec.model : out;
  if (evaluator !== null) {
    await evaluateExternal(expandCommand(evaluator, values));
  } else if (spec.benchmarks.length > 0) {
    const [{ initBackend, workerHello }, { scoreBuiltIn }] = await Promise.all([
      import('../backend/index'),
      import('../eval/score-cell'),
    ]);
    const backend = await initBackend();
    report({
      type: 'hello',
      cellId,
      hello: { ...workerHello(site.name, backend), allowCommands: true },
    });
    await scoreBuiltIn(modelDir, spec, report, signal);
  }

  async function train(cmd: ExpandedCommand, from: number): Promise<void> {
    let totalSteps: number | null = t.steps ?? null;
    let lastStep = from;
    let lastTime = Date.now();
    let lineNo = 0;
    const running = startCommand(
      cmd,
      (line) => {
        lineNo++;
        const parsed = parseTrainerLine(line, lineNo);
        switch (parsed.kind) {
          case 'text':
            if (parsed.text.trim() !== '') log(parsed.text);
            return;
          case 'warn':
            log(parsed.message, 'warn');
            return;
          case 'total':
            totalSteps = parsed.totalSteps;
            return;
          case 'checkpoint':
            state.checkpoints.push({ step: parsed.step, dir: parsed.dir });
            writeState(cellDir, state);
            report({ type: 'checkpoint', cellId, step: parsed.step, dir: parsed.dir });
            return;
          case 'step': {
            if (parsed.step <= lastStep) {
              log(
                `trainer stdout line ${lineNo}: step ${parsed.step} again (last was ${lastStep}), ignored`,
                'warn',
              );
              return;
            }
            const now = Date.now();
            const event: TrainProgress = {
              type: 'progress',
              phase: 'train',
              cellId,
              step: parsed.step,
              totalSteps: Math.max(totalSteps ?? parsed.step, parsed.step),
              loss: parsed.loss,
              promptLoss: parsed.promptLoss,
              completionLoss: parsed.completionLoss,
              lr: parsed.lr,
              gradNorm: parsed.gradNorm,
              tokensPerSec:
                parsed.tokensPerSec ??
                (parsed.tokens !== null && now > lastTime
                  ? (parsed.tokens * 1000) / (now - lastTime)
                  : null),
              time: now,
            };
            lastStep = parsed.step;
            lastTime = now;
            journalStep(cellDir, event);
            report(event);
            return;
          }
        }
      },
      (line) => {
        if (line.trim() !== '') log(line);
      },
    );
    log(`trainer (pid ${running.pid}): ${JSON.stringify(cmd.argv)}`);
    const onAbort = (): void => void running.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    const exit = await running.exited;
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) {
      log(`trainer ${describeExit(exit)} after the stop request`);
      return;
    }
    if (exit.code !== 0) {
      throw new AttemptFailedError(`trainer ${describeExit(exit)} (attempt ${spec.attempt})`);
    }
    if (!isNonEmptyDir(out)) {
      throw new PlwError(
        'run_failed',
        `trainer exited with status 0 but wrote no model to {out} (${out})`,
      );
    }
    log(`trainer done: model in ${out}`);
  }

  async function evaluateExternal(cmd: ExpandedCommand): Promise<void> {
    rmSync(evalOut, { recursive: true, force: true });
    mkdirSync(evalOut, { recursive: true });
    report({
      type: 'progress',
      phase: 'evaluate',
      cellId,
      benchmark: values.tasks,
      done: 0,
      total: Math.max(1, spec.benchmarks.length),
    });
    const running = startCommand(
      cmd,
      (line) => {
        if (line.trim() !== '') log(line);
      },
      (line) => {
        if (line.trim() !== '') log(line);
      },
    );
    log(`evaluator (pid ${running.pid}): ${JSON.stringify(cmd.argv)}`);
    const onAbort = (): void => void running.stop();
    signal.addEventListener('abort', onAbort, { once: true });
    const exit = await running.exited;
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) return;
    if (exit.code !== 0) throw new PlwError('run_failed', `evaluator ${describeExit(exit)}`);
    const files = findResults(evalOut);
    if (files.length === 0) {
      throw new PlwError(
        'run_failed',
        `evaluator exited with status 0 but wrote no lm-eval results*.json under {eval_out} (${evalOut})`,
      );
    }
    let rows = 0;
    for (const file of files) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new InputError({ file }, `not valid JSON (${(err as Error).message})`);
      }
      const parsed = parseLmEvalResults(json, file);
      if (parsed.skipped.length > 0) {
        log(`${file}: skipped tasks PLW Studio does not analyse: ${parsed.skipped.join(', ')}`);
      }
      for (const r of parsed.rows) {
        rows++;
        report({
          type: 'score',
          cellId,
          benchmark: r.benchmark,
          metric: r.metric,
          value: r.value,
          stderr: r.stderr,
        });
      }
    }
    if (rows === 0) {
      throw new PlwError(
        'run_failed',
        `evaluator's results (${files.join(', ')}) hold no score of a benchmark PLW Studio analyses`,
      );
    }
    log(`evaluator: ${rows} score(s) from ${files.length} results file(s)`);
  }
}
