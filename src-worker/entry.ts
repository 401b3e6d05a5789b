/**
 * The worker process entry: runs ONE cell (train, then evaluate), or one dataset or
 * pre-training job, and exits. Started by the main
 * process as `child_process.fork` (CLI, web mode) or Electron `utilityProcess.fork` (desktop);
 * it adapts to whichever channel it finds, speaks only the protocol of src-shared/protocol.ts
 * and never opens the database.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlwError, toErrorData } from '../src-shared/errors';
import {
  isMainMessage,
  type DataJob,
  type DataReply,
  type MainMessage,
  type PretrainJob,
  type PretrainReply,
  type ResolvedCell,
  type WorkerEvent,
  type WorkerSite,
} from '../src-shared/protocol';
import { resolveCell } from './refs';
import { journalStep, journalUpTo, type TrainProgress } from './train/journal';

/** Sends one event to main; `done`/`error` are awaited so they are out before the exit. */
export type Report = (event: WorkerEvent) => void;

/**
 * Runs one cell, its references already resolved on this host (./refs.ts), reporting through
 * `report`, and returns when it is done. Throws to fail the cell (the error crosses to main as
 * data); stops early when `signal` aborts. `site` says where the worker runs (its hello).
 */
export type CellRunner = (
  spec: ResolvedCell,
  report: Report,
  signal: AbortSignal,
  site: WorkerSite,
) => Promise<void>;

interface ParentChannel {
  post(event: WorkerEvent | DataReply | PretrainReply): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** The parent is gone (killed, crashed): nobody is left to report to. */
  onParentGone(listener: () => void): void;
}

/** Electron's utilityProcess port, typed structurally (src-worker never imports electron). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function connectToParent(): ParentChannel {
  const port = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (port !== undefined) {
    return {
      // Electron reports no delivery; a short pause lets the last message out before an exit.
      post: (event) => {
        port.postMessage(event);
        return new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
      },
      onMessage: (listener) => port.on('message', (e) => listener(e.data)),
      // Electron ends a utility process together with its parent.
      onParentGone: () => undefined,
    };
  }
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new PlwError(
      'bad_usage',
      'src-worker/entry.ts is started by PLW Studio (plw sweep run), not directly',
    );
  }
  return {
    post: (event) =>
      new Promise<void>((resolvePromise) => {
        if (!process.connected) return resolvePromise();
        // The callback fires once the message is handed to the channel, and messages leave
        // in order: after it, every earlier event is out too.
        send(event, undefined, {}, () => resolvePromise());
      }),
    onMessage: (listener) => process.on('message', listener),
    onParentGone: (listener) => process.on('disconnect', listener),
  };
}

/**
 * Serves one cell: waits for `start`, runs `runner`, reports `done` or `error`, exits (or,
 * sent `data` or `pretrain` instead, that one job). A
 * `cancel` aborts the runner's (or the pre-training's) signal. When the parent dies the worker exits at once, so a
 * killed app never leaves workers training for nobody.
 */
export function serveWorker(runner: CellRunner): void {
  const channel = connectToParent();
  const abort = new AbortController();
  let started = false;
  channel.onParentGone(() => process.exit(0));
  channel.onMessage((message: unknown) => {
    if (!isMainMessage(message)) return;
    if (message.type === 'cancel') {
      abort.abort();
      return;
    }
    if (started) return;
    started = true;
    void dispatch(message, { runner, channel, signal: abort.signal });
  });
}

/** What a job's handler works with. */
interface JobContext {
  runner: CellRunner;
  channel: ParentChannel;
  /** Aborted by `cancel`. */
  signal: AbortSignal;
}

/** The messages that start a job, by type. */
type JobMessage = Exclude<MainMessage, { type: 'cancel' }>;

/** One handler per job a worker runs: each replies, then the process exits. */
const jobHandlers: {
  [T in JobMessage['type']]: (
    message: Extract<JobMessage, { type: T }>,
    c: JobContext,
  ) => Promise<void>;
} = {
  start: (message, c) => serveCell(message, c.runner, c.channel, c.signal),
  data: (message, c) => serveDataJob(message.job, c.channel),
  pretrain: (message, c) => servePretrainJob(message.job, c.channel, c.signal),
};

/** Hands a job's message to its handler (the map's type ties each type to its message). */
function dispatch(message: JobMessage, c: JobContext): Promise<void> {
  const handler = jobHandlers[message.type] as (m: JobMessage, c: JobContext) => Promise<void>;
  return handler(message, c);
}

/** Runs one dataset job (the Datasets view), replies, exits. */
async function serveDataJob(job: DataJob, channel: ParentChannel): Promise<void> {
  let reply: DataReply;
  try {
    const { runDataJob } = await import('./data/jobs');
    reply = { type: 'data-result', result: await runDataJob(job) };
  } catch (err) {
    reply = { type: 'data-error', error: toErrorData(err) };
  }
  await channel.post(reply);
  process.exit(0);
}

/**
 * Pre-trains (or finds in the cache) the model a job asks for, reporting each step, replies
 * with its directory, exits. The engine loads only here, as for a cell.
 */
async function servePretrainJob(
  job: PretrainJob,
  channel: ParentChannel,
  signal: AbortSignal,
): Promise<void> {
  let last: PretrainReply;
  try {
    if (job.kind !== 'demo-base') {
      throw new PlwError('bad_usage', `unknown pre-training job "${String(job.kind)}"`);
    }
    const [{ describeBackend, initBackend }, { pretrainDemoBase }] = await Promise.all([
      import('./backend/index'),
      import('./train/demo-base'),
    ]);
    const backend = await initBackend();
    void channel.post({ type: 'pretrain-log', message: `backend: ${describeBackend(backend)}` });
    const result = await pretrainDemoBase(
      {
        ...(job.steps === undefined ? {} : { steps: job.steps }),
        signal,
        onLog: (message) => void channel.post({ type: 'pretrain-log', message }),
      },
      {
        onStep: (e) =>
          void channel.post({
            type: 'pretrain-step',
            step: e.step,
            totalSteps: e.totalSteps,
            loss: e.loss,
            etaSeconds: Number.isFinite(e.etaSeconds) ? e.etaSeconds : null,
          }),
      },
    );
    last = { type: 'pretrain-result', model: result.model, cached: result.cached };
  } catch (err) {
    last = { type: 'pretrain-error', error: toErrorData(err) };
  }
  await channel.post(last);
  process.exit(0);
}

async function serveCell(
  message: Extract<MainMessage, { type: 'start' }>,
  runner: CellRunner,
  channel: ParentChannel,
  signal: AbortSignal,
): Promise<void> {
  const cellId = message.spec.cellId;
  let last: WorkerEvent;
  try {
    const spec = resolveCell(message.spec, message.site);
    await runner(spec, (event) => void channel.post(event), signal, message.site);
    last = signal.aborted
      ? { type: 'error', cellId, error: { code: 'cancelled', message: 'cancelled' } }
      : { type: 'done', cellId };
  } catch (err) {
    if (err instanceof Error && err.name === 'AttemptFailedError') {
      // An external trainer crashed: exit as a crashed worker would, so main retries the cell.
      await channel.post({ type: 'log', cellId, level: 'error', message: err.message });
      process.stderr.write(`AttemptFailedError: ${err.message}\n`);
      process.exit(75);
    }
    last = { type: 'error', cellId, error: toErrorData(err) };
  }
  await channel.post(last);
  process.exit(0);
}

/** True when this file is the process's entry (not imported by a test's scripted worker). */
function isEntry(): boolean {
  if ((process as NodeJS.Process & { parentPort?: ParentPort }).parentPort !== undefined) {
    return true;
  }
  const main = process.argv[1];
  if (main === undefined) return false;
  try {
    return realpathSync(main) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** The checkpoint the trainer will resume from: `latest.json` names the newest complete one. */
function latestCheckpointStep(dir: string, latestFile: string): number {
  const file = join(dir, latestFile);
  if (!existsSync(file)) return 0;
  const step = (JSON.parse(readFileSync(file, 'utf8')) as { step?: unknown }).step;
  return typeof step === 'number' ? step : 0;
}

/**
 * Train, then evaluate, one cell: the trainer resumes from the newest checkpoint in the cell's
 * folder (or starts over when main knows of none), then every benchmark scores the final model.
 * An external trainer / evaluator (src-shared/engine.ts) takes the whole cell instead, and the
 * engine below never loads.
 */
const runSweepCell: CellRunner = async (spec, report, signal, site) => {
  if (spec.engine !== undefined) {
    const { runExternalCell } = await import('./external/run-cell');
    return runExternalCell(spec, report, signal, site);
  }
  const engine = loadEngine();
  const log = cellLog(spec.cellId, report);
  await startEngine(engine, spec.cellId, report, site, log);
  const from = await restoreCheckpoint(engine, spec, report, log);
  const trained = await trainCell(engine, spec, from, report, signal, log);
  if (trained === null) return;
  const { scoreBuiltIn } = await engine.score;
  await scoreBuiltIn(trained, spec, report, signal);
};

/**
 * The engine's modules (tfjs, WASM: heavy, so loaded here, never at the top where serveWorker
 * is), their loading started at once so that it overlaps; each step awaits the one it needs.
 */
function loadEngine() {
  const engine = {
    backend: import('./backend/index'),
    checkpoint: import('./train/checkpoint'),
    run: import('./train/run'),
    score: import('./eval/score-cell'),
  };
  // A step that fails early leaves later imports unawaited: their errors are not the cell's.
  for (const p of Object.values(engine)) p.catch(() => undefined);
  return engine;
}

type Engine = ReturnType<typeof loadEngine>;

type CellLog = (message: string, level?: 'info' | 'warn') => void;

function cellLog(cellId: number, report: Report): CellLog {
  return (message, level = 'info') => report({ type: 'log', cellId, level, message });
}

/** Starts the backend and says hello with the backend it chose, and why. */
async function startEngine(
  engine: Engine,
  cellId: number,
  report: Report,
  site: WorkerSite,
  log: CellLog,
): Promise<void> {
  const { initBackend, workerHello } = await engine.backend;
  const backend = await initBackend();
  report({ type: 'hello', cellId, hello: workerHello(site.name, backend) });
  log(
    `backend ${backend.name}: ${backend.reason}` +
      backend.skipped.map((s) => `; ${s.name} skipped: ${s.why}`).join(''),
  );
}

/**
 * The step the trainer resumes from: 0 when main knows of no checkpoint (the folder is
 * cleared), else the newest complete one on disk. Replays the journal's steps main has not
 * recorded, so its curve has no gap.
 */
async function restoreCheckpoint(
  engine: Engine,
  spec: ResolvedCell,
  report: Report,
  log: CellLog,
): Promise<number> {
  const { LATEST_FILE } = await engine.checkpoint;
  const cellId = spec.cellId;
  if (spec.resumeStep === null) rmSync(spec.checkpointDir, { recursive: true, force: true });
  const from = latestCheckpointStep(spec.checkpointDir, LATEST_FILE);
  report({ type: 'checkpoint', cellId, step: from, dir: spec.checkpointDir, loaded: true });
  mkdirSync(spec.checkpointDir, { recursive: true });
  for (const e of journalUpTo(spec.checkpointDir, from)) {
    if (e.step > (spec.resumeStep ?? 0)) report({ ...e, cellId });
  }
  if (from > (spec.resumeStep ?? 0)) {
    log(
      `resumed from checkpoint ${from}, newer than the ${spec.resumeStep ?? 0} main had recorded`,
    );
  }
  return from;
}

/**
 * Trains the cell from step `from`, journalling and reporting each step and checkpoint.
 * Returns the final model's folder, or null when training stopped early (cancelled).
 */
async function trainCell(
  engine: Engine,
  spec: ResolvedCell,
  from: number,
  report: Report,
  signal: AbortSignal,
  log: CellLog,
): Promise<string | null> {
  const { runTraining } = await engine.run;
  const cellId = spec.cellId;
  const t = spec.train;
  const result = await runTraining(
    {
      model: spec.model,
      data: spec.dataset,
      plw: spec.plw,
      outDir: join(spec.checkpointDir, 'final'),
      train: t,
      seed: spec.seed,
      resume: from > 0,
      checkpointDir: spec.checkpointDir,
      signal,
    },
    {
      onStep: (e) => {
        const event: TrainProgress = {
          type: 'progress',
          phase: 'train',
          cellId,
          step: e.step,
          totalSteps: e.totalSteps,
          loss: e.loss,
          promptLoss: e.promptLoss,
          completionLoss: e.completionLoss,
          lr: e.lr,
          gradNorm: e.gradNorm,
          tokensPerSec: e.tokensPerSec,
          time: Date.now(),
        };
        journalStep(spec.checkpointDir, event);
        report(event);
      },
      onCheckpoint: (e) => report({ type: 'checkpoint', cellId, step: e.step, dir: e.dir }),
      onLog: (line) => log(line),
    },
  );
  if (result.stopped || signal.aborted) return null;
  if (result.truncated > 0) {
    log(
      `${result.truncated} of ${result.examples} examples cut at maxLength ${t.maxLength}`,
      'warn',
    );
  }
  return result.outDir;
}

if (isEntry()) serveWorker(runSweepCell);
