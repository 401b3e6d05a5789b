/**
 * `plw train` (docs/CLI.md "Models"): fine-tune a model with the PLW loss and save an HF-layout checkpoint.
 * With --json, one JSON object per optimizer step on stdout (JSON lines); otherwise a progress
 * line per step on stderr. Ctrl-C stops after the current step with a checkpoint to --resume.
 */
import { checkTrainSettings, TRAIN_DEFAULTS } from '../../../src-shared/sweep';
import { describeBackend, initBackend } from '../../../src-worker/backend/index';
import { runTraining, type StepEvent, type TrainOptions } from '../../../src-worker/train/run';
import type { ScheduleKind } from '../../../src-worker/train/schedule';
import { action, logLine, parseInteger, parseNumber, type CommandRegistrar } from '../io';

interface TrainCliOptions {
  model: string;
  data: string;
  plw: number;
  out: string;
  steps?: number;
  epochs?: number;
  lr: number;
  batchSize: number;
  microBatchSize?: number;
  maxLen: number;
  warmupRatio: number;
  schedule: string;
  weightDecay: number;
  clip: number;
  seed: number;
  shuffle: boolean;
  resume?: boolean;
  json?: boolean;
  backend?: string;
  threads?: number;
  checkpointEvery: number;
}

/** `1h02m`, `3m05s`, `42s`: short enough for a progress line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m`;
  if (m > 0) return `${m}m${pad(s % 60)}s`;
  return `${s}s`;
}

const fmt = (x: number | null, digits = 4) => (x === null ? '-' : x.toFixed(digits));

function progressLine(e: StepEvent): string {
  return (
    `step ${e.step}/${e.totalSteps} loss ${fmt(e.loss)} ` +
    `(prompt ${fmt(e.promptLoss)}, completion ${fmt(e.completionLoss)}) ` +
    `lr ${e.lr.toExponential(2)} gnorm ${fmt(e.gradNorm, 3)} ` +
    `${Math.round(e.tokensPerSec)} tok/s ETA ${formatDuration(e.etaSeconds)}`
  );
}

/** The per-step JSON object: docs/CLI.md "Models, training and evaluation": its fields first, then extras. */
function stepJson(e: StepEvent): Record<string, unknown> {
  return {
    step: e.step,
    loss: e.loss,
    promptLoss: e.promptLoss,
    completionLoss: e.completionLoss,
    gradNorm: e.gradNorm,
    lr: e.lr,
    tokensPerSec: e.tokensPerSec,
    totalSteps: e.totalSteps,
    epoch: e.epoch,
    tokens: e.tokens,
    etaSeconds: e.etaSeconds,
  };
}

export const registerTrain: CommandRegistrar = (program) => {
  program
    .command('train')
    .description('Fine-tune a model with the prompt-loss-weighted loss and save it (HF layout).')
    .requiredOption('--model <model>', 'preset name or Hugging Face LlamaForCausalLM directory')
    .requiredOption('--data <file>', 'instruction dataset (JSON array or JSONL)')
    .requiredOption('--plw <x>', 'prompt loss weight in [0, 1]', parseNumber('--plw', 0, 1))
    .requiredOption('--out <dir>', 'output directory for the fine-tuned model')
    .option('--steps <n>', 'optimizer steps (instead of --epochs)', parseNumber('--steps'))
    .option(
      '--epochs <e>',
      `epochs over the data (default ${TRAIN_DEFAULTS.epochs})`,
      parseNumber('--epochs'),
    )
    .option('--lr <lr>', 'peak learning rate', parseNumber('--lr'), TRAIN_DEFAULTS.lr)
    .option(
      '--batch-size <n>',
      'global batch (examples per step)',
      parseNumber('--batch-size'),
      TRAIN_DEFAULTS.batchSize,
    )
    .option(
      '--micro-batch-size <n>',
      'examples per forward pass (default: largest divisor of the batch up to 8)',
      parseNumber('--micro-batch-size'),
    )
    .option(
      '--max-len <n>',
      'max tokens per example',
      parseNumber('--max-len'),
      TRAIN_DEFAULTS.maxLength,
    )
    .option(
      '--warmup-ratio <r>',
      'share of steps with linear warmup',
      parseNumber('--warmup-ratio'),
      TRAIN_DEFAULTS.warmupRatio,
    )
    .option('--schedule <kind>', 'cosine | constant', TRAIN_DEFAULTS.schedule)
    .option(
      '--weight-decay <x>',
      'AdamW decoupled weight decay',
      parseNumber('--weight-decay'),
      TRAIN_DEFAULTS.weightDecay,
    )
    .option(
      '--clip <x>',
      'max global gradient norm (0: off)',
      parseNumber('--clip'),
      TRAIN_DEFAULTS.clip,
    )
    .option(
      '--seed <n>',
      'seed of the data order (and of preset weights)',
      parseInteger('--seed'),
      TRAIN_DEFAULTS.seed,
    )
    .option('--no-shuffle', 'keep the dataset order')
    .option('--resume', 'continue from the latest checkpoint in OUT/checkpoints')
    .option(
      '--checkpoint-every <n>',
      'checkpoint every N steps (0: only at the end)',
      parseNumber('--checkpoint-every'),
      TRAIN_DEFAULTS.checkpointEvery,
    )
    .option('--backend <name>', 'force a compute backend (default: the fastest that loads)')
    .option(
      '--threads <n>',
      'WASM backend threads (default: its own choice)',
      parseInteger('--threads', 1),
    )
    .option('--json', 'one JSON object per optimizer step on stdout')
    .action(
      action(async (opts: TrainCliOptions) => {
        // The sweep file's table (trainSchema) checks every setting, naming its flag.
        const train = checkTrainSettings({
          lr: opts.lr,
          batchSize: opts.batchSize,
          maxLength: opts.maxLen,
          warmupRatio: opts.warmupRatio,
          schedule: opts.schedule as ScheduleKind,
          weightDecay: opts.weightDecay,
          clip: opts.clip,
          shuffle: opts.shuffle,
          checkpointEvery: opts.checkpointEvery,
          steps: opts.steps,
          epochs: opts.epochs,
          microBatchSize: opts.microBatchSize,
        });
        const backend = await initBackend({
          ...(opts.backend === undefined ? {} : { backend: opts.backend }),
          ...(opts.threads === undefined ? {} : { threads: opts.threads }),
        });
        logLine(`backend: ${describeBackend(backend)}`);
        const controller = new AbortController();
        const onSigint = () => {
          logLine('stopping after this step (Ctrl-C again to kill)…');
          controller.abort();
          process.removeListener('SIGINT', onSigint);
        };
        process.on('SIGINT', onSigint);
        const options: TrainOptions = {
          model: opts.model,
          data: opts.data,
          plw: opts.plw,
          outDir: opts.out,
          train,
          seed: opts.seed,
          resume: opts.resume ?? false,
          signal: controller.signal,
        };
        try {
          const result = await runTraining(options, {
            onStep: (e) => {
              if (opts.json) process.stdout.write(`${JSON.stringify(stepJson(e))}\n`);
              else logLine(progressLine(e));
            },
            onCheckpoint: (c) => logLine(`checkpoint: step ${c.step} in ${c.dir}`),
            onLog: logLine,
          });
          logLine(
            `${result.examples} examples (${result.truncated} truncated at --max-len), ` +
              `padding ${(100 * result.paddingFraction).toFixed(1)}% of positions`,
          );
          if (result.stopped) {
            logLine(`stopped at step ${result.steps}/${result.totalSteps}; continue with --resume`);
            return 1;
          }
          logLine(`saved the fine-tuned model in ${result.outDir}`);
          return 0;
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
      }),
    );
};
