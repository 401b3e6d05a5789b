/**
 * `plw models [DIR]`: the built-in presets, or a description of a Hugging Face
 * LlamaForCausalLM directory (config, parameters, stored dtypes, tokenizer) read from headers
 * only, so it is instant even for large checkpoints.
 */
import { existsSync, statSync } from 'node:fs';
import { UsageError } from '../../../src-shared/errors';
import {
  describeHfCheckpoint,
  PLW_TOKENIZER_FIELD,
  readHfConfig,
} from '../../../src-worker/model/checkpoint';
import { parameterCount, PRESETS } from '../../../src-worker/model/presets';
import { action, logLine, printJson, type CommandRegistrar } from '../io';

/** The tokenizer a directory would load: its file, or the built-in one named in config.json. */
function tokenizerOf(dir: string): string | null {
  const builtin = readHfConfig(dir).raw[PLW_TOKENIZER_FIELD];
  if (typeof builtin === 'string') return builtin;
  for (const f of ['tokenizer.json', 'tokenizer.model']) if (existsSync(`${dir}/${f}`)) return f;
  return null;
}

export const registerModels: CommandRegistrar = (program) => {
  program
    .command('models')
    .description('List the built-in model presets, or describe a Hugging Face model directory.')
    .argument('[dir]', 'a LlamaForCausalLM directory (config.json + safetensors)')
    .option('--json', 'print one JSON document')
    .action(
      action((dir: string | undefined, opts: { json?: boolean }) => {
        if (dir === undefined) {
          const presets = PRESETS.map((p) => ({
            name: p.name,
            description: p.description,
            tokenizer: p.tokenizer,
            parameters: parameterCount(p.config),
            config: p.config,
          }));
          if (opts.json) printJson(presets);
          else
            for (const p of presets)
              logLine(`${p.name.padEnd(10)} ${(p.parameters / 1e6).toFixed(2)}M  ${p.description}`);
          return;
        }
        if (!existsSync(dir) || !statSync(dir).isDirectory())
          throw new UsageError(`${dir}: not a directory`);
        const d = describeHfCheckpoint(dir);
        const info = { path: dir, ...d, tokenizer: tokenizerOf(dir) };
        if (opts.json) printJson(info);
        else {
          const c = d.config;
          logLine(
            `${dir}: LLaMA, ${(d.parameters / 1e6).toFixed(2)}M parameters in ${d.tensors} tensors (${Object.keys(d.dtypes).join(', ')})`,
          );
          logLine(
            `vocab ${c.vocabSize}, d ${c.hiddenSize}, ${c.numHiddenLayers} layers, ${c.numAttentionHeads} heads (${c.numKeyValueHeads} KV), MLP ${c.intermediateSize}, ${c.tieWordEmbeddings ? 'tied' : 'untied'} head; tokenizer: ${info.tokenizer ?? 'none'}`,
          );
        }
      }),
    );
};
