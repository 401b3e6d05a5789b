/**
 * Runs (or continues) a sweep file with per-cell progress bars on stderr, and stops cleanly on
 * Ctrl-C: workers stop, their cells stay queued and resume from their checkpoints next time.
 * Shared by `plw sweep run` and `plw demo`.
 */
import { sha256OfPath } from '../../src-worker/files';
import type { Builtins } from '../sweeps/load';
import { ProgressBars } from '../sweeps/progress-bars';
import type { CellRow } from '../sweeps/repository';
import { runSweep } from '../sweeps/run-sweep';
import { logLine } from './io';

export interface SweepRunResult {
  sweepId: number;
  cells: CellRow[];
}

export async function runSweepWithProgress(options: {
  dbPath: string;
  file: string;
  builtins: Builtins;
  workers?: number;
  queue?: string;
}): Promise<SweepRunResult> {
  const { dbPath } = options;
  let bars: ProgressBars | null = null;
  let sweepId = 0;
  const sweep = runSweep({
    dbPath,
    file: options.file,
    builtins: options.builtins,
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    log: logLine,
    hashPath: sha256OfPath,
    onStart: (s) => {
      sweepId = s.sweepId;
      const done = s.cells.filter((c) => c.state === 'done').length;
      logLine(
        s.created
          ? `sweep ${s.sweepId}: created with ${s.cells.length} cells in ${dbPath}`
          : `sweep ${s.sweepId}: continuing (${done} of ${s.cells.length} cells done) in ${dbPath}`,
      );
      if (s.recovered > 0) {
        logLine(`re-queued ${s.recovered} cell(s) left running by a stopped run`);
      }
      if (s.runnerPid !== null) {
        logLine(
          `this workspace is being run by another PLW process (pid ${s.runnerPid}): watching it ` +
            'run the cells; this run takes over if that process stops',
        );
      } else if (s.queue !== null) {
        logLine(`sending cells to the queue ${s.queue}; start workers with plw worker --queue URL`);
      } else logLine(`running on ${s.workers} worker(s)`);
      bars = new ProgressBars(s.cells);
    },
    onTakeOver: ({ recovered }) =>
      logLine(
        `the other process stopped: running the cells here now` +
          (recovered > 0 ? ` (re-queued ${recovered} cell(s) it left running)` : ''),
      ),
    subscribe: (e) => bars?.onEvent(e),
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    logLine(`${signal}: stopping; run the same command again to continue`);
    void sweep.stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cells = await sweep.done;
    (bars as ProgressBars | null)?.finish();
    return { sweepId, cells };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
