/**
 * `plw generate`: greedy decoding (KV cache) from BOS + the tokenized prompt, stopping at EOS
 * or `--max-new-tokens`.
 */
import { UsageError } from '../../../src-shared/errors';
import { describeBackend, initBackend } from '../../../src-worker/backend/index';
import { greedyGenerate } from '../../../src-worker/model/generate';
import { loadModel } from '../../../src-worker/model/load';
import { action, logLine, parseInteger, printJson, type CommandRegistrar } from '../io';

interface GenerateCliOptions {
  model: string;
  prompt: string;
  maxNewTokens: number;
  seed: number;
  backend?: string;
  json?: boolean;
}

export const registerGenerate: CommandRegistrar = (program) => {
  program
    .command('generate')
    .description('Greedy continuation of a prompt (BOS + prompt; stops at EOS or the limit).')
    .requiredOption('--model <model>', 'preset name or Hugging Face LlamaForCausalLM directory')
    .requiredOption('--prompt <text>', 'prompt text (no template is applied)')
    .option('--max-new-tokens <n>', 'generation limit', parseInteger('--max-new-tokens', 1), 64)
    .option('--seed <n>', 'seed of a preset model’s weights', parseInteger('--seed'), 42)
    .option('--backend <name>', 'force a compute backend (default: the fastest that loads)')
    .option('--json', 'print one JSON document')
    .action(
      action(async (opts: GenerateCliOptions) => {
        const backend = await initBackend(
          opts.backend === undefined ? {} : { backend: opts.backend },
        );
        logLine(`backend: ${describeBackend(backend)}`);
        const { model, tokenizer } = await loadModel(opts.model, { seed: opts.seed });
        try {
          if (tokenizer === null)
            throw new UsageError(`model ${opts.model} has no tokenizer: it cannot read text`);
          const promptIds = [tokenizer.bosId, ...tokenizer.encode(opts.prompt)];
          const { ids } = await greedyGenerate(model, promptIds, {
            maxNewTokens: opts.maxNewTokens,
            eosId: tokenizer.eosId,
          });
          const text = tokenizer.decode(ids);
          if (opts.json) printJson({ promptIds, ids, text });
          else process.stdout.write(`${text}\n`);
        } finally {
          model.dispose();
        }
      }),
    );
};
