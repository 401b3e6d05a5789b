import { readFile } from 'node:fs/promises';
import { InputError } from '../../../src-shared/errors';
import { parseLmEvalResults, type ImportedScore } from '../../../src-worker/eval/lm-eval-results';
import { action, logLine, printJson, type CommandRegistrar } from '../io';

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file }, `cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError({ file }, `not valid JSON (${(err as Error).message})`);
  }
}

export const registerImportLmEval: CommandRegistrar = (program) => {
  program
    .command('import-lm-eval')
    .description(
      "Read lm-evaluation-harness results.json files as rows {model, benchmark, metric, value, stderr} in PLW Studio's names.",
    )
    .argument('<files...>', 'results.json files written by lm_eval --output_path')
    .option('--json', 'print one JSON document (an array of rows)')
    .action(
      action(async (files: string[], opts: { json?: boolean }) => {
        const rows: (ImportedScore & { file: string })[] = [];
        for (const file of files) {
          const parsed = parseLmEvalResults(await readJson(file), file);
          if (parsed.skipped.length > 0) {
            logLine(
              `${file}: skipped tasks PLW Studio does not analyse: ${parsed.skipped.join(', ')}`,
            );
          }
          rows.push(...parsed.rows.map((r) => ({ ...r, file })));
        }
        if (opts.json) {
          printJson(rows);
          return;
        }
        for (const r of rows) {
          const se = r.stderr === null ? '' : ` ± ${r.stderr.toFixed(4)}`;
          process.stdout.write(
            `${r.model}\t${r.benchmark}\t${r.metric}\t${r.value.toFixed(4)}${se}\n`,
          );
        }
      }),
    );
};
