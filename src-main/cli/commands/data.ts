import type { Command } from 'commander';
import type { DatasetStats } from '../../../src-worker/data/stats';
import { action, logLine, printJson, type CommandRegistrar } from '../io';

const TOKENIZER_HELP =
  'tokenizer: "byte" (UTF-8 bytes), a Hugging Face tokenizer.json or a SentencePiece tokenizer.model';

interface StatsOptions {
  tokenizer: string;
  short?: boolean;
  json?: boolean;
}

/** The readable table of `plw data stats` without --json. */
function statsTable(file: string, spec: string, short: boolean, s: DatasetStats): string {
  const num = (x: number): string => x.toFixed(2).padStart(10);
  const kind =
    s.completionPromptRatio < 1
      ? 'short-completion'
      : s.completionPromptRatio > 1
        ? 'long-completion'
        : 'balanced';
  return [
    `${file}${short ? ' (short-completion transform applied)' : ''}`,
    `tokenizer: ${spec}   records: ${s.count}`,
    '',
    `${'field'.padEnd(12)}${'mean'.padStart(10)}${'std'.padStart(10)}`,
    `${'instruction'.padEnd(12)}${num(s.instruction.mean)}${num(s.instruction.std)}`,
    `${'input'.padEnd(12)}${num(s.input.mean)}${num(s.input.std)}`,
    `${'completion'.padEnd(12)}${num(s.completion.mean)}${num(s.completion.std)}`,
    '',
    `total tokens: ${s.totalTokens}`,
    `completion/prompt ratio: ${s.completionPromptRatio.toFixed(4)} (${kind})`,
  ].join('\n');
}

/** Engine code is imported when a data command runs, so other commands start faster. */
async function engine() {
  const [{ openDataset }, { datasetStats }, { writeDataset }, { loadTokenizer }, { shortRecords }] =
    await Promise.all([
      import('../../../src-worker/data/reader'),
      import('../../../src-worker/data/stats'),
      import('../../../src-worker/data/writer'),
      import('../../../src-worker/tokenizers/index'),
      import('../../../src-worker/data/short'),
    ]);
  return { openDataset, datasetStats, writeDataset, loadTokenizer, shortRecords };
}

export const registerData: CommandRegistrar = (program: Command) => {
  const data = program
    .command('data')
    .description('instruction datasets (JSON array or JSONL of {instruction, input, output})');

  data
    .command('stats')
    .description(
      'token statistics of a dataset (docs/METHOD.md "Dataset statistics"): mean/std of instruction, input and completion ' +
        'counts, total tokens, completion/prompt ratio',
    )
    .argument('<file>', 'dataset: a JSON array or JSONL of {instruction, input, output}')
    .option('--tokenizer <spec>', TOKENIZER_HELP, 'byte')
    .option('--short', 'apply the short-completion transform before counting')
    .option('--json', 'print one JSON document on stdout')
    .action(
      action(async (file: string, opts: StatsOptions) => {
        const { openDataset, datasetStats, loadTokenizer } = await engine();
        const tokenizer = await loadTokenizer(opts.tokenizer);
        const { records } = await openDataset(file);
        const stats = await datasetStats(records, tokenizer, { short: opts.short === true });
        if (opts.json) printJson(stats);
        else process.stdout.write(`${statsTable(file, opts.tokenizer, !!opts.short, stats)}\n`);
      }),
    );

  data
    .command('make-short')
    .description(
      'write the short-completion version of IN to OUT (same format as IN: JSON array or JSONL); ' +
        'records whose completion has more tokens than instruction + input become ' +
        '"predict the prompt" records, the others are kept; only the three Alpaca fields are written',
    )
    .argument('<in>', 'input dataset')
    .argument('<out>', 'output file (written whole or not at all)')
    .option('--tokenizer <spec>', `${TOKENIZER_HELP} (used to compare lengths)`, 'byte')
    .action(
      action(async (input: string, output: string, opts: { tokenizer: string }) => {
        const { openDataset, writeDataset, loadTokenizer, shortRecords } = await engine();
        const tokenizer = await loadTokenizer(opts.tokenizer);
        const { format, records } = await openDataset(input);
        const tally = { seen: 0, changed: 0 };
        await writeDataset(output, format, shortRecords(records, tokenizer, tally));
        logLine(
          `make-short: transformed ${tally.changed} of ${tally.seen} records ` +
            `(completion longer than prompt, tokenizer ${opts.tokenizer}); wrote ${output} (${format})`,
        );
      }),
    );
};
