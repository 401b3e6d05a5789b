/**
 * `plw loss`: the PLW-weighted loss (docs/METHOD.md "Loss") of a whole dataset under a model, forward only,
 * one micro-batch per `--batch-size` records in file order. The reported loss is Σw·CE / Σw
 * over every target of the dataset, so the batch size changes memory use, not the figures.
 */
import { UsageError } from '../../../src-shared/errors';
import { describeBackend, initBackend } from '../../../src-worker/backend/index';
import { readDataset } from '../../../src-worker/data/reader';
import { loadModel } from '../../../src-worker/model/load';
import { collate } from '../../../src-worker/train/collate';
import { encodeExample } from '../../../src-worker/train/examples';
import { addSums, batchLossSums, lossFromSums, ZERO_SUMS } from '../../../src-worker/train/loss';
import {
  action,
  logLine,
  parseInteger,
  parseNumber,
  printJson,
  type CommandRegistrar,
} from '../io';

interface LossOptions {
  model: string;
  data: string;
  plw: number;
  maxLen: number;
  batchSize?: number;
  seed: number;
  backend?: string;
  json?: boolean;
}

const fmt = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(4));

export const registerLoss: CommandRegistrar = (program) => {
  program
    .command('loss')
    .description('PLW-weighted loss of a dataset under a model (no training).')
    .requiredOption('--model <model>', 'preset name or Hugging Face LlamaForCausalLM directory')
    .requiredOption('--data <file>', 'instruction dataset (JSON array or JSONL)')
    .requiredOption('--plw <x>', 'prompt loss weight in [0, 1]', parseNumber('--plw', 0, 1))
    .option('--max-len <n>', 'truncate sequences to N tokens', parseInteger('--max-len', 2), 512)
    .option(
      '--batch-size <n>',
      'records per micro-batch (default: all)',
      parseInteger('--batch-size', 1),
    )
    .option('--seed <n>', 'seed of a preset model’s weights', parseInteger('--seed'), 42)
    .option('--backend <name>', 'force a compute backend (default: the fastest that loads)')
    .option('--json', 'print one JSON document')
    .action(
      action(async (opts: LossOptions) => {
        const backend = await initBackend(
          opts.backend === undefined ? {} : { backend: opts.backend },
        );
        logLine(`backend: ${describeBackend(backend)}`);
        const { records } = await readDataset(opts.data);
        const { model, tokenizer } = await loadModel(opts.model, { seed: opts.seed });
        try {
          if (tokenizer === null)
            throw new UsageError(`model ${opts.model} has no tokenizer: it cannot read text`);
          const examples = records.map((r) => encodeExample(r, tokenizer, opts.maxLen));
          const size = opts.batchSize ?? Math.max(1, examples.length);
          let sums = ZERO_SUMS;
          for (let i = 0; i < examples.length; i += size) {
            const mb = collate(examples.slice(i, i + size), opts.plw, tokenizer.padId);
            sums = addSums(sums, await batchLossSums(model, mb));
            if (examples.length > size)
              logLine(`records ${Math.min(i + size, examples.length)}/${examples.length}`);
          }
          const result = lossFromSums(sums);
          if (opts.json) printJson(result);
          else {
            logLine(
              `loss ${fmt(result.loss)} at PLW ${opts.plw}; prompt ${fmt(result.promptLoss)} over ${result.promptTargets} targets, completion ${fmt(result.completionLoss)} over ${result.completionTargets}`,
            );
          }
        } finally {
          model.dispose();
        }
      }),
    );
};
