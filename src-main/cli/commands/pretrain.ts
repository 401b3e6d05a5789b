/**
 * `plw pretrain`: build (or reuse from the cache) the demo base model — a from-scratch preset
 * trained as a plain language model on the demo corpus — and print where it is.
 */
import { join } from 'node:path';
import { describeBackend, initBackend } from '../../../src-worker/backend/index';
import { DEMO_DATA_DIR } from '../../../src-worker/data/demo/index';
import { PRETRAIN_DEFAULTS as D, runPretraining } from '../../../src-worker/train/pretrain';
import {
  action,
  logLine,
  parseInteger,
  parseNumber,
  printJson,
  type CommandRegistrar,
} from '../io';
import { formatDuration } from './train';

interface PretrainCliOptions {
  corpus?: string;
  preset: string;
  steps: number;
  seqLen: number;
  batchSize: number;
  microBatchSize: number;
  lr: number;
  seed: number;
  cacheDir?: string;
  name?: string;
  force?: boolean;
  backend?: string;
  threads?: number;
  json?: boolean;
}

/** The built-in demo corpus (resources/demo, from the data engineer's generator). */
const DEMO_CORPUS = join(DEMO_DATA_DIR, 'corpus.txt');

export const registerPretrain: CommandRegistrar = (program) => {
  program
    .command('pretrain')
    .description('Build the demo base model from the demo corpus (cached by corpus and settings).')
    .option('--corpus <file>', 'plain-text corpus (default: the built-in demo corpus)')
    .option('--preset <name>', 'from-scratch model preset', D.preset)
    .option('--steps <n>', 'optimizer steps', parseInteger('--steps', 1), D.steps)
    .option('--seq-len <n>', 'tokens per training window', parseInteger('--seq-len', 2), D.seqLen)
    .option('--batch-size <n>', 'windows per step', parseInteger('--batch-size', 1), D.batchSize)
    .option(
      '--micro-batch-size <n>',
      'windows per forward pass',
      parseInteger('--micro-batch-size', 1),
      D.microBatchSize,
    )
    .option(
      '--lr <lr>',
      `peak learning rate (cosine, ${D.warmupRatio * 100}% warmup)`,
      parseNumber('--lr', 0),
      D.lr,
    )
    .option(
      '--seed <n>',
      'seed of the initial weights and data order',
      parseInteger('--seed'),
      D.seed,
    )
    .option('--cache-dir <dir>', 'cache folder (default: $PLW_CACHE_DIR or ~/.cache/plw-studio)')
    .option('--name <name>', "the model's folder name in the cache (default: PRESET-base)")
    .option('--force', 'retrain even when the cache has this model')
    .option('--backend <name>', 'force a compute backend (default: the fastest that loads)')
    .option('--threads <n>', 'WASM backend threads', parseInteger('--threads', 1))
    .option('--json', 'print one JSON document')
    .action(
      action(async (opts: PretrainCliOptions) => {
        const backend = await initBackend({
          ...(opts.backend === undefined ? {} : { backend: opts.backend }),
          ...(opts.threads === undefined ? {} : { threads: opts.threads }),
        });
        logLine(`backend: ${describeBackend(backend)}`);
        const every = Math.max(1, Math.round(opts.steps / 20));
        const result = await runPretraining(
          {
            corpus: opts.corpus ?? DEMO_CORPUS,
            preset: opts.preset,
            steps: opts.steps,
            seqLen: opts.seqLen,
            batchSize: opts.batchSize,
            microBatchSize: opts.microBatchSize,
            lr: opts.lr,
            seed: opts.seed,
            force: opts.force ?? false,
            ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }),
            ...(opts.name === undefined ? {} : { name: opts.name }),
          },
          {
            onStep: (e) => {
              if (e.step % every === 0 || e.step === e.totalSteps) {
                logLine(
                  `pretrain step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)} ` +
                    `${Math.round(e.tokensPerSec)} tok/s ETA ${formatDuration(e.etaSeconds)}`,
                );
              }
            },
          },
        );
        logLine(
          result.cached ? `cached model: ${result.model}` : `built the base model: ${result.model}`,
        );
        if (opts.json) printJson(result);
        else process.stdout.write(`${result.model}\n`);
      }),
    );
};
