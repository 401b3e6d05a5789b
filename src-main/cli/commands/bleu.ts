import { readFile } from 'node:fs/promises';
import { corpusBleu, type BleuScore } from '../../../src-shared/bleu';
import { InputError } from '../../../src-shared/errors';
import { action, printJson, type CommandRegistrar } from '../io';

/**
 * Segments of a one-sentence-per-line file, read as Python's text mode does for sacreBLEU
 * (universal newlines; the newline that ends the last line opens no extra segment).
 */
async function readSegments(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file }, `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** sacreBLEU's one-line summary: `BLEU = 35.12 68.2/41.7/27.3/18.2 (BP = 1.000 ...)`. */
export function formatBleu(s: BleuScore): string {
  const ratio = s.refLen ? s.sysLen / s.refLen : 0;
  const prec = s.precisions.map((p) => p.toFixed(1)).join('/');
  return (
    `BLEU = ${s.score.toFixed(2)} ${prec} (BP = ${s.bp.toFixed(3)} ratio = ${ratio.toFixed(3)} ` +
    `hyp_len = ${s.sysLen} ref_len = ${s.refLen})`
  );
}

export const registerBleu: CommandRegistrar = (program) => {
  program
    .command('bleu')
    .description(
      'Corpus BLEU of one-sentence-per-line files with sacreBLEU defaults (13a, exp smoothing, mixed case).',
    )
    .requiredOption('--hyp <file>', 'hypotheses, one segment per line')
    .requiredOption(
      '--ref <file...>',
      'references, one segment per line (several files: several reference sets)',
    )
    .option('--json', 'print one JSON document')
    .action(
      action(async (opts: { hyp: string; ref: string[]; json?: boolean }) => {
        const hyps = await readSegments(opts.hyp);
        const refs: string[][] = [];
        for (const file of opts.ref) {
          const segments = await readSegments(file);
          if (segments.length !== hyps.length) {
            throw new InputError(
              { file, record: `line ${Math.min(segments.length, hyps.length) + 1}` },
              `has ${segments.length} lines but ${opts.hyp} has ${hyps.length}: every hypothesis needs one reference line`,
            );
          }
          refs.push(segments);
        }
        const score = corpusBleu(hyps, refs);
        if (opts.json) printJson(score);
        else process.stdout.write(`${formatBleu(score)}\n`);
      }),
    );
};
