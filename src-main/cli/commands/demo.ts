import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { formatExport } from '../../../src-shared/export/document';
import { describeBackend, initBackend } from '../../../src-worker/backend/index';
import { openDataset } from '../../../src-worker/data/reader';
import { datasetStats } from '../../../src-worker/data/stats';
import { loadTokenizer } from '../../../src-worker/tokenizers/index';
import { PRETRAIN_DEFAULTS } from '../../../src-worker/train/pretrain';
import { analyzeSweep } from '../../app/analysis';
import { dbPathOption } from '../../store/paths';
import { demoWorkers, detectHardware } from '../../workers/concurrency';
import { SweepRepository } from '../../sweeps/repository';
import { openExistingStore } from '../../sweeps/status';
import { demoBaseModel } from '../demo/base-model';
import { demoDefinition } from '../../demo/demo-sweep';
import { runSweepWithProgress } from '../sweep-runner';
import {
  action,
  logLine,
  parseInteger,
  parseNumberList,
  printJson,
  type CommandRegistrar,
} from '../io';
import { appBuiltins } from '../../sweeps/builtins';

interface DemoOptions {
  db?: string;
  workers?: number;
  steps?: number;
  pretrainSteps?: number;
  plw?: number[];
  json?: boolean;
}

/** Completion/prompt ratio of each dataset file (byte tokenizer: the demo model's). */
async function ratios(datasets: string[]): Promise<Map<string, number>> {
  const tokenizer = await loadTokenizer('byte');
  const out = new Map<string, number>();
  for (const file of datasets) {
    const { records } = await openDataset(file);
    const stats = await datasetStats(records, tokenizer);
    out.set(basename(file, extname(file)), stats.completionPromptRatio);
  }
  return out;
}

/**
 * `plw demo`: pre-train the demo base model (cached), run the demo sweep (PLW grid x the long-
 * and short-completion demo datasets, demo benchmarks) and print the results and analysis
 * tables. Running it again continues the same sweep instead of starting over.
 */
async function demo(opts: DemoOptions): Promise<number> {
  const started = Date.now();
  const backend = await initBackend();
  logLine(`backend: ${describeBackend(backend)}`);
  logLine(
    `demo base model: pre-training ${PRETRAIN_DEFAULTS.preset} on the demo corpus (cached after the first run)`,
  );
  let lastLog = 0;
  const base = await demoBaseModel({
    onLog: (line) => logLine(`  ${line}`),
    ...(opts.pretrainSteps === undefined ? {} : { steps: opts.pretrainSteps }),
    onProgress: (step, total, loss, eta) => {
      if (Date.now() - lastLog < 5000 && step !== total) return;
      lastLog = Date.now();
      logLine(
        `  pretrain step ${step}/${total} loss ${loss.toFixed(3)}${eta === null ? '' : ` ETA ${Math.round(eta)} s`}`,
      );
    },
  });
  logLine(`${base.cached ? 'cached' : 'built'} demo base model: ${base.dir}`);

  const dbPath = dbPathOption(opts.db);
  const definition = demoDefinition(base.dir, {
    ...(opts.steps === undefined ? {} : { steps: opts.steps }),
    ...(opts.plw === undefined ? {} : { plw: opts.plw }),
  });
  // The resolved sweep lives beside the workspace, so `plw sweep run` on it continues the demo.
  const file = join(dirname(dbPath), 'demo-sweep.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(definition, null, 2)}\n`);

  const { sweepId, cells } = await runSweepWithProgress({
    dbPath,
    file,
    builtins: appBuiltins(),
    workers: opts.workers ?? demoWorkers(detectHardware()),
  });

  const store = openExistingStore(dbPath);
  try {
    const repo = new SweepRepository(store);
    const { analyses, skipped, scores } = analyzeSweep(repo, sweepId, {
      splitModels: false,
      zscore: false,
    });
    // Built-in dataset names were resolved to their files when the sweep was created.
    const files = [...new Set(cells.map((c) => c.dataset))];
    const r = await ratios(files);
    for (const s of skipped) logLine(`analysis: ${s.label} not fitted: ${s.reason}`);
    if (opts.json) {
      printJson(JSON.parse(formatExport('json', scores.results, analyses, r)) as unknown);
    } else {
      process.stdout.write(formatExport('md', scores.results, analyses, r));
      for (const a of analyses) {
        process.stdout.write(`\n${a.group.dataset}: ${a.verdict}\n`);
        for (const note of a.information.notes) process.stdout.write(`  ${note}\n`);
        if (a.powerText !== null) process.stdout.write(`  ${a.powerText}\n`);
      }
      for (const s of skipped) {
        for (const note of s.notes) process.stdout.write(`  ${s.label}: ${note}\n`);
      }
    }
  } finally {
    store.close();
  }
  const failed = cells.filter((c) => c.state !== 'done');
  logLine(
    `demo finished in ${Math.round((Date.now() - started) / 1000)} s; ${failed.length} cell(s) not done`,
  );
  return failed.length === 0 ? 0 : 1;
}

export const registerDemo: CommandRegistrar = (program) => {
  program
    .command('demo')
    .description(
      'Run the built-in demo sweep end to end and print the results and analysis tables.',
    )
    .option('--db <path>', 'workspace database (default: in the app-data folder)')
    .option(
      '--workers <n>',
      'concurrent workers (default: one per GPU, or one per core up to two: the model is tiny)',
      parseInteger('--workers', 1),
    )
    .option(
      '--steps <n>',
      'fine-tuning steps per cell (default: the demo sweep file)',
      parseInteger('--steps', 1),
    )
    .option(
      '--pretrain-steps <n>',
      `pre-training steps of the base model (default ${PRETRAIN_DEFAULTS.steps})`,
      parseInteger('--pretrain-steps', 1),
    )
    .option(
      '--plw <list>',
      'comma-separated PLW values in [0, 1] (default: the demo sweep file)',
      // Checked before the base model pre-trains, so a typo costs no minutes.
      parseNumberList('--plw', 0, 1),
    )
    .option('--json', 'print one JSON document: {results, analysis}')
    .action(action(demo));
};
