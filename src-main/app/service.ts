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
import type { PlwHandlers } from '../../src-shared/api';
import type { EventFeed, EventListener } from '../api/events';
import type { Builtins } from '../sweeps/load';
import type { WorkerHost } from '../workers/host';
import { Workspace } from '../workspace/workspace';
import { analysisHandlers } from './analysis';
import { toApiEvent, type Emit } from './api-events';
import { benchmarkHandlers } from './benchmarks';
import { cellHandlers } from './cells';
import { datasetHandlers } from './datasets';
import { demoHandlers, type DemoSweep } from './demo';
import { queueSettingHandlers } from './queue-setting';
import { summaries } from './summaries';
import { createSweep, sweepHandlers } from './sweeps';
import { workspaceHandlers } from './workspace-info';

export interface WorkspaceServiceOptions {
  dbPath: string;
  builtins: Builtins;
  /**
   * Builds the demo sweep definition (`sweeps:demo`); may take minutes the first time, and
   * reports pre-training steps through `onStep` meanwhile (shown on the home page), with the
   * pre-training's own ETA when it has one (else the service estimates it from the elapsed time).
   */
  demoSweep?: DemoSweep;
  host?: WorkerHost;
  workers?: number;
  /** Relative paths in sweeps created from the UI are taken from here. */
  baseDir?: string;
}

export interface WorkspaceService {
  handlers: PlwHandlers;
  events: EventFeed;
  /** Runs every queued cell (called on open and after each change). */
  kick(): void;
  close(): Promise<void>;
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
  const listeners = new Set<EventListener>();
  const emit: Emit = (event, payload) => {
    for (const l of listeners) l(event, payload);
  };
  ws.hub.subscribe((e) => {
    const mapped = toApiEvent(e);
    if (mapped) emit(mapped[0], mapped[1] as never);
  });

  const baseDir = options.baseDir ?? process.cwd();
  const summary = summaries(ws.repo, () => ws.availableWorkers());
  const sweeps = { ws, summaries: summary, builtins: options.builtins, baseDir, emit };
  const create = createSweep(sweeps);
  const handlers: PlwHandlers = {
    ...workspaceHandlers(ws),
    ...sweepHandlers(sweeps, create),
    ...demoHandlers(options.demoSweep, create, emit, () => ws.useDemoWorkers()),
    ...cellHandlers(ws, summary),
    ...analysisHandlers(ws.repo),
    ...benchmarkHandlers({ store: ws.store, baseDir }),
    ...queueSettingHandlers({ store: ws.store, active: ws.queueDisplay }),
    ...datasetHandlers({
      store: ws.store,
      host: ws.dataHost,
      builtins: options.builtins,
      baseDir,
      outputDir:
        options.dbPath === ':memory:' ? process.cwd() : join(dirname(options.dbPath), 'datasets'),
    }),
  };
  const kick = (): void => ws.kick();

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
