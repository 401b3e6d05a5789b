import { writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { PlwError } from '../../../src-shared/errors';
import {
  EXPORT_FORMATS,
  formatExport,
  type ExportFormat,
} from '../../../src-shared/export/document';
import { analyzeSweep } from '../../app/analysis';
import { dbPathOption } from '../../store/paths';
import { SweepRepository } from '../../sweeps/repository';
import { openExistingStore } from '../../sweeps/status';
import { action, logLine, parseInteger, type CommandRegistrar } from '../io';

interface ExportOptions {
  db?: string;
  format: ExportFormat;
  sweep?: number;
  out?: string;
  splitModels?: boolean;
}

function parseFormat(value: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return value as ExportFormat;
}

/**
 * `plw export`: the results table (one row per cell and benchmark) of a sweep and, for
 * md/tex/json, the analysis table per dataset (docs/CLI.md "Sweeps"). Default sweep: the newest.
 */
function exportSweep(opts: ExportOptions): number {
  const store = openExistingStore(dbPathOption(opts.db));
  try {
    const repo = new SweepRepository(store);
    const sweeps = repo.sweeps();
    const sweepId = opts.sweep ?? sweeps[sweeps.length - 1]?.id;
    if (sweepId === undefined) throw new PlwError('bad_input', 'the workspace has no sweeps');
    const { analyses, skipped, scores } = analyzeSweep(repo, sweepId, {
      splitModels: opts.splitModels ?? false,
      zscore: false,
    });
    if (scores.results.length === 0)
      logLine(`sweep ${sweepId}: no scores yet (the table is empty)`);
    for (const s of skipped) logLine(`analysis: ${s.label} not fitted: ${s.reason}`);
    const text = formatExport(opts.format, scores.results, analyses);
    if (opts.out) {
      writeFileSync(opts.out, text);
      logLine(`wrote ${opts.out}`);
    } else {
      process.stdout.write(text);
    }
    return 0;
  } finally {
    store.close();
  }
}

export const registerExport: CommandRegistrar = (program) => {
  program
    .command('export')
    .description('Export a sweep: results table, and the analysis table for md/tex/json.')
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`, parseFormat)
    .option('--sweep <id>', 'sweep id (default: the newest)', parseInteger('--sweep', 1))
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--split-models', 'fit each model separately instead of pooling per dataset')
    .action(action(exportSweep));
};
