/**
 * The long-lived workspace behind the app's shells (Electron and `plw serve`): one store, one
 * scheduler and one event hub for the life of the process, and the API handlers of
 * src-shared/api.ts on top of them (src-main/workspace/workspace.ts is the composition root it
 * shares with `plw sweep run`). When no other process runs the workspace, cells left running by
 * a killed process are re-queued and every queued cell runs as soon as it opens; when one does
 * (a `plw sweep run` in a terminal), this service shows that run live and takes over when it
 * stops.
 */
import { dirname, join } from 'node:path';
import type {
  CellSummary,
  DemoStatus,
  EventName,
  MetricPoint,
  PlwEvents,
  PlwHandlers,
  SweepSummary,
  ValidationIssue,
} from '../../src-shared/api';
import { lttb } from '../../src-shared/downsample';
import { InputError, PlwError } from '../../src-shared/errors';
import { cellEta, secondsPerStep, sweepEta, sweepProgress } from '../../src-shared/progress';
import { expandCells } from '../../src-shared/sweep';
import type { EventFeed, EventListener } from '../api/events';
import type { HubEvent } from '../events/event-hub';
import { resolveSweep, type Builtins } from '../sweeps/load';
import { primaryScores, type CellRow } from '../sweeps/repository';
import type { WorkerHost } from '../workers/host';
import { WorkerRecords } from '../workers/worker-records';
import { Workspace } from '../workspace/workspace';
import { blasAddonProblem } from '../workers/blas-addon';
import { queueSettingHandlers } from './queue-setting';
import { analysisHandlers } from './analysis';
import { benchmarkHandlers } from './benchmarks';
import { datasetHandlers } from './datasets';

export interface WorkspaceServiceOptions {
  dbPath: string;
  builtins: Builtins;
  /**
   * Builds the demo sweep definition (`sweeps:demo`); may take minutes the first time, and
   * reports pre-training steps through `onStep` meanwhile (shown on the home page), with the
   * pre-training's own ETA when it has one (else the service estimates it from the elapsed time).
   */
  demoSweep?: (
    onStep: (step: number, totalSteps: number, etaSeconds?: number | null) => void,
  ) => Promise<unknown>;
  host?: WorkerHost;
  workers?: number;
  /** Relative paths in sweeps created from the UI are taken from here. */
  baseDir?: string;
  version?: string;
}

export interface WorkspaceService {
  handlers: PlwHandlers;
  events: EventFeed;
  /** Runs every queued cell (called on open and after each change). */
  kick(): void;
  close(): Promise<void>;
}

function toMetricPoint(m: {
  step: number;
  loss: number | null;
  promptLoss: number | null;
  completionLoss: number | null;
  lr: number | null;
  tokensPerSec: number | null;
  time: number;
}): MetricPoint {
  return {
    step: m.step,
    loss: m.loss ?? Number.NaN,
    promptLoss: m.promptLoss,
    completionLoss: m.completionLoss,
    lr: m.lr ?? 0,
    tokensPerSec: m.tokensPerSec,
    time: m.time,
  };
}

/** Translates hub events into the API's pushed events. */
function toApiEvent(e: HubEvent): { [E in EventName]: [E, PlwEvents[E]] }[EventName] | null {
  switch (e.type) {
    case 'progress':
      return [
        'cell:progress',
        {
          cellId: e.cellId,
          sweepId: e.sweepId,
          point: toMetricPoint(e.metrics),
          totalSteps: e.metrics.totalSteps,
          etaSeconds: e.etaSeconds,
        },
      ];
    case 'state':
      return [
        'cell:state',
        { cellId: e.cellId, sweepId: e.sweepId, state: e.state, error: e.error },
      ];
    case 'score':
      return [
        'cell:score',
        {
          cellId: e.cellId,
          sweepId: e.sweepId,
          score: { benchmark: e.benchmark, metric: e.metric, value: e.value, stderr: e.stderr },
        },
      ];
    case 'log':
      return [
        'cell:log',
        {
          cellId: e.cellId,
          sweepId: e.sweepId,
          log: { time: Date.now(), level: e.level, message: e.message },
        },
      ];
    default:
      return null;
  }
}

export async function openWorkspaceService(
  options: WorkspaceServiceOptions,
): Promise<WorkspaceService> {
  const ws = new Workspace({
    dbPath: options.dbPath,
    runEverything: true,
    savedQueue: { builtins: options.builtins, log: (line) => console.error(line) },
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const { store, repo, hub, scheduler, workers, dataHost } = ws;
  const workerRecords = new WorkerRecords(store);
  const listeners = new Set<EventListener>();
  const emit = <E extends EventName>(event: E, payload: PlwEvents[E]): void => {
    for (const l of listeners) l(event, payload);
  };
  hub.subscribe((e) => {
    const mapped = toApiEvent(e);
    if (mapped) emit(mapped[0], mapped[1] as never);
  });

  const kick = (): void => ws.kick();
  let demo: DemoStatus = { state: 'idle' };
  let preparing: Promise<unknown> | null = null;

  const cellSummary = (c: CellRow, eta: number | null = null): CellSummary => ({
    id: c.id,
    sweepId: c.sweepId,
    plw: c.plw,
    model: c.model,
    dataset: c.dataset,
    seed: c.seed,
    state: c.state,
    step: c.step,
    totalSteps: c.totalSteps,
    loss: c.loss,
    attempts: c.attempts,
    etaSeconds: eta,
    scores: primaryScores(repo.scores(c.id)),
    error: c.error,
    worker: c.worker,
  });

  /** Seconds per step of each running cell, from its recent steps in the store. */
  const paces = (cells: readonly CellRow[]): Map<number, number> => {
    const out = new Map<number, number>();
    for (const c of cells) {
      if (c.state !== 'running') continue;
      const pace = secondsPerStep(repo.recentSteps(c.id));
      if (pace !== null) out.set(c.id, pace);
    }
    return out;
  };

  const summarize = (
    id: number,
  ): SweepSummary & { cellRows: CellRow[]; cellPaces: Map<number, number> } => {
    const s = repo.sweep(id);
    if (!s) throw new PlwError('bad_input', `sweep ${id}: no such sweep`);
    const cells = repo.cells(id);
    const counts: SweepSummary['counts'] = {};
    for (const c of cells) counts[c.state] = (counts[c.state] ?? 0) + 1;
    const cellPaces = paces(cells);
    const planned = s.definition.train.steps ?? Math.max(0, ...cells.map((c) => c.totalSteps ?? 0));
    return {
      id: s.id,
      name: s.name,
      createdAt: new Date(s.createdAt).toISOString(),
      cells: cells.length,
      counts,
      progress: sweepProgress(cells),
      etaSeconds: sweepEta(cells, [...cellPaces.values()], planned, workers),
      cellRows: cells,
      cellPaces,
    };
  };
  const runningEta = (c: CellRow, pace: number | undefined): number | null =>
    pace === undefined || !c.totalSteps ? null : cellEta(c.step, c.totalSteps, pace);

  const validate = (
    definition: unknown,
  ): { ok: boolean; issues: ValidationIssue[]; cells: number } => {
    try {
      const def = resolveSweep(
        definition,
        '(sweep)',
        options.baseDir ?? process.cwd(),
        options.builtins,
      );
      return { ok: true, issues: [], cells: expandCells(def).length };
    } catch (err) {
      if (err instanceof InputError) {
        return {
          ok: false,
          issues: [
            {
              path: err.location.field ?? '',
              message: err.message.replace(/^\(sweep\): (field "[^"]*": )?/, ''),
            },
          ],
          cells: 0,
        };
      }
      throw err;
    }
  };

  const create = (definition: unknown, start: boolean): { id: number; created: boolean } => {
    const def = resolveSweep(
      definition,
      '(sweep)',
      options.baseDir ?? process.cwd(),
      options.builtins,
    );
    const result = repo.createOrContinue(def, null);
    if (!result.created) scheduler.states.requeueUnfinished(result.id);
    emit('sweeps:changed', { sweepId: result.id });
    if (start) kick();
    return result;
  };

  const handlers: PlwHandlers = {
    'workspace:info': () => ({
      dbPath: options.dbPath,
      version: options.version ?? '0.1.0',
      backend: workerRecords.backend(),
      workers,
      blasAddon: blasAddonProblem(),
      runnerPid: ws.role === 'runner' ? null : ws.runnerPid,
    }),
    'workers:list': () =>
      workerRecords.list().map((w) => ({
        name: w.name,
        host: w.host,
        pid: w.pid,
        backend: w.hello.backend.name,
        backendReason: w.hello.backend.reason,
        skipped: w.hello.backend.skipped,
        threads: w.hello.backend.threads,
        blas:
          w.hello.backend.blas === null
            ? null
            : { coreType: w.hello.backend.blas.coreType, threads: w.hello.backend.blas.threads },
        cells: w.cells,
        lastSeen: w.lastSeen,
        connected: w.connected,
      })),
    'sweeps:list': () =>
      repo
        .sweeps()
        .reverse()
        .map((s) => {
          const { cellRows: _rows, cellPaces: _paces, ...summary } = summarize(s.id);
          return summary;
        }),
    'sweeps:get': ({ id }) => {
      const { cellRows, cellPaces, ...summary } = summarize(id);
      const sweep = repo.sweep(id);
      return {
        ...summary,
        definition: sweep?.definition ?? null,
        benchmarks: sweep?.definition.benchmarks.map((b) => b.task) ?? [],
        cellList: cellRows.map((c) => cellSummary(c, runningEta(c, cellPaces.get(c.id)))),
      };
    },
    'sweeps:validate': ({ definition }) => validate(definition),
    'sweeps:create': ({ definition, start }) => create(definition, start),
    'sweeps:demo': async () => {
      if (options.demoSweep === undefined)
        throw new PlwError('bad_usage', 'no demo sweep is configured');
      // A second click while the base model pre-trains waits for the same preparation.
      preparing ??= (async () => {
        const startedAt = Date.now();
        demo = { state: 'preparing', step: null, totalSteps: null, etaSeconds: null, startedAt };
        emit('demo:progress', demo);
        try {
          const def = await options.demoSweep!((step, totalSteps, etaSeconds) => {
            const elapsed = (Date.now() - startedAt) / 1000;
            demo = {
              state: 'preparing',
              step,
              totalSteps,
              etaSeconds: etaSeconds ?? (step > 0 ? (elapsed / step) * (totalSteps - step) : null),
              startedAt,
            };
            emit('demo:progress', demo);
          });
          demo = { state: 'idle' };
          return def;
        } catch (err) {
          demo = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
          throw err;
        } finally {
          preparing = null;
          emit('demo:progress', demo);
        }
      })();
      return create(await preparing, true);
    },
    'demo:status': () => demo,
    'sweeps:action': ({ id, action }) => {
      const changed =
        action === 'retry-failed'
          ? scheduler.states.requeueUnfinished(id)
          : ws.actOnSweep(id, action);
      if (action === 'retry-failed' || action === 'resume') kick();
      emit('sweeps:changed', { sweepId: id });
      return { changed };
    },
    'cells:action': ({ ids, action }) => {
      let changed = 0;
      for (const id of ids) if (ws.act(id, action)) changed += 1;
      if (action === 'retry' || action === 'resume') kick();
      return { changed };
    },
    'cells:get': ({ id }) => {
      const c = repo.cell(id);
      if (!c) throw new PlwError('bad_input', `cell ${id}: no such cell`);
      return {
        cell: cellSummary(c, runningEta(c, paces([c]).get(c.id))),
        scores: repo.scores(id),
        logs: repo.logs(id),
        checkpoints: repo.checkpoints(id),
      };
    },
    'cells:metrics': ({ ids, maxPoints }) => {
      const out: Record<number, MetricPoint[]> = {};
      for (const id of ids) {
        const points = repo.metrics(id).map(toMetricPoint);
        out[id] =
          maxPoints > 0 && points.length > maxPoints
            ? lttb(
                points,
                maxPoints,
                (p) => p.step,
                (p) => p.loss,
              )
            : points;
      }
      return out;
    },
    ...analysisHandlers(repo),
    ...benchmarkHandlers({ store, baseDir: options.baseDir ?? process.cwd() }),
    ...queueSettingHandlers({ store, active: ws.queueDisplay }),
    ...datasetHandlers({
      store,
      host: dataHost,
      builtins: options.builtins,
      baseDir: options.baseDir ?? process.cwd(),
      outputDir:
        options.dbPath === ':memory:' ? process.cwd() : join(dirname(options.dbPath), 'datasets'),
    }),
  };

  kick();

  return {
    handlers,
    events: {
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    kick,
    close: () => ws.close(),
  };
}
