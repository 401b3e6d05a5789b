import type { Command } from 'commander';
import { basename, join } from 'node:path';
import { DEMO_DATA_DIR, DEMO_FILE_NAMES } from '../../../src-worker/data/demo/index';
import { allTasks } from '../../../src-worker/eval/registry';
import { PRESETS } from '../../../src-worker/model/presets';
import type { CellRow } from '../../sweeps/repository';
import { dbPathOption } from '../../store/paths';
import type { Builtins } from '../../sweeps/load';
import { ProgressBars } from '../../sweeps/progress-bars';
import { SweepRepository } from '../../sweeps/repository';
import { runSweep } from '../../sweeps/run-sweep';
import { openExistingStore, sweepStatus, type SweepStatus } from '../../sweeps/status';
import { action, logLine, parseInteger, printJson, type CommandRegistrar } from '../io';

/** Names a sweep file may use without a path: model presets, demo datasets, demo tasks. */
export function cliBuiltins(): Builtins {
  const datasets = Object.fromEntries(
    DEMO_FILE_NAMES.filter((f) => f.endsWith('.jsonl')).map((f) => [
      f.replace(/\.jsonl$/, ''),
      join(DEMO_DATA_DIR, f),
    ]),
  );
  return {
    models: PRESETS.map((p) => p.name),
    datasets,
    tasks: allTasks()
      .filter((t) => !t.needsData)
      .map((t) => t.name),
  };
}

function short(path: string): string {
  return path.includes('/') ? basename(path) : path;
}

function printStatus(sweeps: SweepStatus[]): void {
  for (const s of sweeps) {
    process.stdout.write(`sweep ${s.id} ${s.name}\n`);
    for (const c of s.cells) {
      const scores = Object.entries(c.scores)
        .map(([b, v]) => `${b}=${v.toFixed(4)}`)
        .join(' ');
      const loss = c.loss === null ? '' : ` loss ${c.loss.toFixed(4)}`;
      const steps = c.totalSteps === null ? `${c.step}` : `${c.step}/${c.totalSteps}`;
      process.stdout.write(
        `  cell ${c.id} plw=${c.plw} ${short(c.model)} ${short(c.dataset)} ${c.state} step ${steps}${loss}` +
          ` attempts ${c.attempts}${scores ? ` ${scores}` : ''}${c.error ? ` error: ${c.error}` : ''}\n`,
      );
    }
  }
}

function summary(cells: CellRow[]): string {
  const counts = new Map<string, number>();
  for (const c of cells) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
}

async function run(file: string, opts: { db?: string; workers?: number }): Promise<number> {
  const dbPath = dbPathOption(opts.db);
  let bars: ProgressBars | null = null;
  const sweep = runSweep({
    dbPath,
    file,
    builtins: cliBuiltins(),
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    onStart: (s) => {
      const done = s.cells.filter((c) => c.state === 'done').length;
      logLine(
        s.created
          ? `sweep ${s.sweepId}: created with ${s.cells.length} cells in ${dbPath}`
          : `sweep ${s.sweepId}: continuing (${done} of ${s.cells.length} cells done) in ${dbPath}`,
      );
      if (s.recovered > 0)
        logLine(`re-queued ${s.recovered} cell(s) left running by a stopped run`);
      logLine(`running on ${s.workers} worker(s)`);
      bars = new ProgressBars(s.cells);
    },
    subscribe: (e) => bars?.onEvent(e),
  });
  // Ctrl-C: stop the workers, leave their cells queued (they resume from their checkpoints).
  const onSignal = (signal: NodeJS.Signals): void => {
    logLine(`${signal}: stopping; run the same command again to continue`);
    void sweep.stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const cells = await sweep.done;
  (bars as ProgressBars | null)?.finish();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  logLine(`sweep finished: ${summary(cells)}`);
  for (const c of cells.filter((x) => x.state === 'failed')) {
    logLine(
      `  cell ${c.id} (plw=${c.plw} ${short(c.model)} ${short(c.dataset)}) failed: ${c.error}`,
    );
  }
  return cells.every((c) => c.state === 'done') ? 0 : 1;
}

export const registerSweep: CommandRegistrar = (program) => {
  const sweep: Command = program.command('sweep').description('Run and inspect PLW sweeps.');
  sweep
    .command('run')
    .description('Create (or continue) the sweep of SWEEP.json and run every cell not done.')
    .argument('<sweep.json>', 'sweep file (CLI.md "Sweeps")')
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .option(
      '--workers <n>',
      'concurrent workers (default: one per GPU, or cores/2)',
      parseInteger('--workers', 1),
    )
    .action(action(run));
  sweep
    .command('status')
    .description('Sweeps and their cells: state, step, loss, scores.')
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .option('--json', 'print one JSON document')
    .action(
      action((opts: { db?: string; json?: boolean }) => {
        const store = openExistingStore(dbPathOption(opts.db));
        try {
          const status = sweepStatus(new SweepRepository(store));
          if (opts.json) printJson(status);
          else printStatus(status);
        } finally {
          store.close();
        }
      }),
    );
};
