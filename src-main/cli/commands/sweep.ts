import type { Command } from 'commander';
import { basename } from 'node:path';
import type { CellRow } from '../../sweeps/repository';
import { dbPathOption } from '../../store/paths';
import { appBuiltins } from '../../sweeps/builtins';
import { SweepRepository } from '../../sweeps/repository';
import { openExistingStore, sweepStatus, type SweepStatus } from '../../sweeps/status';
import { runSweepWithProgress } from '../sweep-runner';
import { action, logLine, parseInteger, printJson, type CommandRegistrar } from '../io';

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
        `  cell ${c.id} plw=${c.plw}${c.seed === undefined ? '' : ` seed=${c.seed}`} ${c.model} ${short(c.dataset)} ${c.state} step ${steps}${loss}` +
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

async function run(
  file: string,
  opts: { db?: string; workers?: number; queue?: string },
): Promise<number> {
  const { cells } = await runSweepWithProgress({
    dbPath: dbPathOption(opts.db),
    file,
    builtins: appBuiltins(),
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.queue === undefined ? {} : { queue: opts.queue }),
  });
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
    .argument('<sweep.json>', 'sweep file (docs/CLI.md "Sweeps")')
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .option(
      '--workers <n>',
      'concurrent workers (default: one per GPU, or cores/2)',
      parseInteger('--workers', 1),
    )
    .option(
      '--queue <url>',
      'send the cells to plw worker processes through Redis: redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://',
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
