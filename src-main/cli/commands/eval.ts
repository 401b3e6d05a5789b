import { UsageError } from '../../../src-shared/errors';
import { describeBackend, initBackend } from '../../../src-worker/backend/index';
import { evaluate, type EvalResult } from '../../../src-worker/eval/evaluate';
import { allTasks } from '../../../src-worker/eval/registry';
import { FEWSHOT_SAMPLERS, type FewShotSamplerName } from '../../../src-worker/eval/tasks/fewshot';
import type { ScoringMode } from '../../../src-worker/eval/scoring';
import { loadModel } from '../../../src-worker/model/load';
import { action, logLine, parseInteger, printJson, type CommandRegistrar } from '../io';

interface EvalOptions {
  model: string;
  task: string;
  data?: string;
  shots?: number;
  limit?: number;
  seed: number;
  fewshotSampler: string;
  logSamples?: boolean;
  scoring: string;
  maxNewTokens?: number;
  backend?: string;
  json?: boolean;
}

const MODES: readonly ScoringMode[] = ['shared', 'batched', 'separate'];

function summary(r: EvalResult): string {
  const metrics = Object.entries(r.metrics)
    .map(([k, v]) => `${k} ${(v as number).toFixed(4)}`)
    .join(', ');
  return `${r.task}: n ${r.n}, ${r.shots}-shot: ${metrics}`;
}

export const registerEval: CommandRegistrar = (program) => {
  program
    .command('eval')
    .description(
      'Score a model on one benchmark the lm-evaluation-harness way (offline, local files).',
    )
    .requiredOption('--model <model>', 'preset name or Hugging Face LlamaForCausalLM directory')
    .requiredOption(
      '--task <name>',
      `one of ${allTasks()
        .map((t) => t.name)
        .join(', ')}`,
    )
    .option(
      '--data <path>',
      'benchmark file, or the directory holding its published files (not for demo tasks)',
    )
    .option(
      '--shots <k>',
      'few-shot examples (default: ARC 25, WinoGrande 5, others 0)',
      parseInteger('--shots'),
    )
    .option('--limit <n>', 'evaluate only the first N documents', parseInteger('--limit', 1))
    .option(
      '--seed <n>',
      'seed of the few-shot sampler and of preset weights',
      parseInteger('--seed'),
      42,
    )
    .option(
      '--fewshot-sampler <name>',
      `how few-shot examples are drawn: ${FEWSHOT_SAMPLERS.join(' | ')} ` +
        "(lm-eval: lm-evaluation-harness 0.4's own draws; leaderboard: the pre-0.4 harness " +
        'the Open LLM Leaderboard pinned, which also shuffles the documents --limit keeps; ' +
        'seeded: ours, from --seed)',
      'lm-eval',
    )
    .option('--log-samples', 'include every document with its scores in the JSON')
    .option('--scoring <mode>', `choice batching: ${MODES.join(' | ')}`, 'shared')
    .option(
      '--max-new-tokens <n>',
      "generation cap (default: the task's; 256 for translation, 64 for demo_gen)",
      parseInteger('--max-new-tokens', 1),
    )
    .option('--backend <name>', 'force a compute backend (default: the fastest that loads)')
    .option('--json', 'print one JSON document')
    .action(
      action(async (opts: EvalOptions) => {
        if (!MODES.includes(opts.scoring as ScoringMode)) {
          throw new UsageError(`--scoring ${opts.scoring}: one of ${MODES.join(', ')}`);
        }
        if (!FEWSHOT_SAMPLERS.includes(opts.fewshotSampler as FewShotSamplerName)) {
          throw new UsageError(
            `--fewshot-sampler ${opts.fewshotSampler}: one of ${FEWSHOT_SAMPLERS.join(', ')}`,
          );
        }
        const backend = await initBackend(
          opts.backend === undefined ? {} : { backend: opts.backend },
        );
        logLine(`backend: ${describeBackend(backend)}`);
        const { model, tokenizer } = await loadModel(opts.model, { seed: opts.seed });
        try {
          if (tokenizer === null) {
            throw new UsageError(
              `model ${opts.model} has no tokenizer: it cannot read benchmark text`,
            );
          }
          const started = Date.now();
          const result = await evaluate(model, tokenizer, {
            task: opts.task,
            data: opts.data,
            shots: opts.shots,
            limit: opts.limit,
            seed: opts.seed,
            fewshotSampler: opts.fewshotSampler as FewShotSamplerName,
            logSamples: opts.logSamples ?? false,
            mode: opts.scoring as ScoringMode,
            ...(opts.maxNewTokens === undefined ? {} : { maxNewTokens: opts.maxNewTokens }),
            onProgress: (done, total) => {
              if (done === total || done % 10 === 0) logLine(`${opts.task}: ${done}/${total}`);
            },
          });
          logLine(`${summary(result)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          if (opts.json) printJson(result);
          else process.stdout.write(`${summary(result)}\n`);
        } finally {
          model.dispose();
        }
      }),
    );
};
