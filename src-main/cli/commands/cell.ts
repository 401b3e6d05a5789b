import { basename } from 'node:path';
import { dbPathOption } from '../../store/paths';
import { SweepRepository } from '../../sweeps/repository';
import { cellReport, openExistingStore } from '../../sweeps/status';
import { action, parseInteger, printJson, type CommandRegistrar } from '../io';

export const registerCell: CommandRegistrar = (program) => {
  program
    .command('cell')
    .description('Inspect one sweep cell.')
    .command('show')
    .description('One cell with its metrics, scores and log.')
    .argument('<id>', 'cell id (see plw sweep status)', parseInteger('ID', 1))
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .option('--json', 'print one JSON document')
    .action(
      action((id: number, opts: { db?: string; json?: boolean }) => {
        const store = openExistingStore(dbPathOption(opts.db));
        try {
          const r = cellReport(new SweepRepository(store), id);
          if (opts.json) {
            printJson(r);
            return;
          }
          const out = (s: string): boolean => process.stdout.write(`${s}\n`);
          out(
            `cell ${r.id} of sweep ${r.sweepId}: plw=${r.plw} ${basename(r.model)} ${basename(r.dataset)}`,
          );
          out(
            `state ${r.state}, attempts ${r.attempts}, last checkpoint ${r.lastCheckpointStep ?? '-'}` +
              (r.worker === null ? '' : `, worker ${r.worker}`),
          );
          if (r.error) out(`error: ${r.error}`);
          out('step  loss      prompt    completion lr');
          const f = (v: number | null): string => (v === null ? '-' : v.toFixed(4)).padEnd(9);
          for (const m of r.metrics) {
            out(
              `${String(m.step).padEnd(5)} ${f(m.loss)} ${f(m.promptLoss)} ${f(m.completionLoss)}  ${m.lr ?? '-'}`,
            );
          }
          for (const s of r.allScores) {
            out(
              `${s.benchmark} ${s.metric} ${s.value.toFixed(4)}${s.stderr === null ? '' : ` ± ${s.stderr.toFixed(4)}`}`,
            );
          }
          for (const l of r.log) out(l);
        } finally {
          store.close();
        }
      }),
    );
};
