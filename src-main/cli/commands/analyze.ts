import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import {
  analyzeScores,
  describeGroup,
  type GroupAnalysis,
} from '../../../src-shared/analysis/analyze';
import { describeNoVertex } from '../../../src-shared/analysis/bestPlw';
import { DEFAULT_EXPONENT } from '../../../src-shared/analysis/model';
import { parseScoresCsv, type ScoreRow } from '../../../src-shared/analysis/scoresCsv';
import { InputError, UsageError } from '../../../src-shared/errors';
import {
  EXPORT_FORMATS,
  formatTable,
  type ExportFormat,
} from '../../../src-shared/export/document';
import { aggregateFigure, perBenchmarkFigure } from '../../../src-shared/export/figures';
import { analysisTable } from '../../../src-shared/export/tables';
import { formatNumber } from '../../../src-shared/export/table';
import {
  action,
  logLine,
  parseInteger,
  parseNumber,
  printJson,
  type CommandRegistrar,
} from '../io';

interface AnalyzeOptions {
  exponent: number;
  json?: boolean;
  bootstrap: number;
  seed: number;
  zscore?: boolean;
  splitModels?: boolean;
  figures?: string;
  png?: boolean;
  format?: ExportFormat;
  out?: string;
  ratio?: Map<string, number>;
  include?: string[];
  exclude?: string[];
}

function collectName(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--ratio DATASET=VALUE`, repeatable: the completion/prompt ratio of a dataset. */
function collectRatio(
  value: string,
  previous: Map<string, number> | undefined,
): Map<string, number> {
  const eq = value.lastIndexOf('=');
  const ratio = Number(value.slice(eq + 1));
  if (eq <= 0 || !Number.isFinite(ratio) || ratio <= 0) {
    throw new InvalidArgumentError(`--ratio: expected DATASET=POSITIVE_NUMBER, got "${value}"`);
  }
  return new Map(previous ?? []).set(value.slice(0, eq), ratio);
}

function parseFormat(value: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--format: expected one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return value as ExportFormat;
}

async function readScores(file: string): Promise<ScoreRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError({ file }, `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return parseScoresCsv(text, file);
}

/** The human-readable report of one group (what `plw analyze` prints without --json). */
export function formatGroupReport(a: GroupAnalysis): string {
  const f = (v: number, digits = 4) => formatNumber(v, digits).padStart(11);
  const lines = [
    `== ${describeGroup(a.group)}: ${a.n} scores, ${a.benchmarks} benchmarks` +
      (a.models.length > 1 ? `, ${a.models.length} models pooled` : '') +
      (a.zscored ? ', z-scored' : ''),
    a.method === 'ols'
      ? `one informative benchmark: score ~ w + w^2 by least squares, w = PLW^${a.exponent}:`
      : `score ~ w + w^2 + (1|benchmark), w = PLW^${a.exponent}, REML fit:`,
    `  term           estimate          SE     t value`,
  ];
  const terms = [
    ['(intercept)', 'intercept'],
    ['w', 'w'],
    ['w^2', 'w2'],
  ] as const;
  for (const [name, key] of terms) {
    lines.push(`  ${name.padEnd(11)}${f(a.reml[key])} ${f(a.reml.se[key])} ${f(a.reml.t[key], 3)}`);
  }
  lines.push(
    `  variance: benchmark ${formatNumber(a.reml.sigma2Benchmark)}, residual ${formatNumber(a.reml.sigma2Residual)}` +
      (a.reml.singular ? ' (singular fit: no benchmark variance)' : ''),
    `  REML criterion ${formatNumber(-2 * a.reml.logLik, 6)}; ML logLik ${formatNumber(a.ml.logLik, 6)}`,
    a.method === 'ols'
      ? `F-test of w and w^2 (exact, decides the verdict): F = ${formatNumber(a.kr.F)}, df = ${a.kr.ndf}, ${a.kr.ddf}, p = ${formatNumber(a.kr.p, 3)}`
      : `Kenward-Roger F-test of w and w^2 (REML, decides the verdict): F = ${formatNumber(a.kr.F)}, df = ${a.kr.ndf}, ${formatNumber(a.kr.ddf, 4)}, scaling ${formatNumber(a.kr.scaling, 4)}, p = ${formatNumber(a.kr.p, 3)}`,
    a.method === 'ols'
      ? `LRT vs score ~ 1 (ML): chisq = ${formatNumber(a.lrt.chisq)}, df = 2, p = ${formatNumber(a.lrt.p, 3)}`
      : `LRT vs score ~ 1 + (1|benchmark) (ML): chisq = ${formatNumber(a.lrt.chisq)}, df = 2, p = ${formatNumber(a.lrt.p, 3)}`,
  );
  if (a.lambda !== null && a.vertexW !== null) {
    let best = `best PLW: lambda = ${formatNumber(a.lambda, 3)} (vertex w = ${formatNumber(a.vertexW, 3)})`;
    const iv = a.lambdaInterval;
    if (iv && iv.lower !== null && iv.upper !== null) {
      best += `, ${iv.level * 100}% bootstrap interval [${formatNumber(iv.lower, 3)}, ${formatNumber(iv.upper, 3)}]`;
      best += ` (${iv.replicates} replicates, ${iv.noVertex} without a vertex in [0, 1], seed ${iv.seed})`;
    }
    lines.push(best);
  } else if (a.noLambdaReason !== null) {
    lines.push(`best PLW: none (${describeNoVertex(a.noLambdaReason)})`);
  }
  lines.push(`verdict: ${a.verdict}`);
  for (const note of a.information.notes) lines.push(`  ${note}`);
  if (a.powerText !== null) lines.push(`  ${a.powerText}`);
  return lines.join('\n');
}

/** Writes the SVG figures (and PNGs through rsvg-convert when asked and available). */
async function writeFigures(
  dir: string,
  rows: ScoreRow[],
  analyses: GroupAnalysis[],
  exponent: number,
  png: boolean,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files = {
    'per-benchmark.svg': perBenchmarkFigure(analyses, { exponent }),
    'aggregate.svg': aggregateFigure(rows, { exponent }),
  };
  for (const [name, svg] of Object.entries(files)) {
    const path = join(dir, name);
    await writeFile(path, svg);
    logLine(`wrote ${path}`);
    if (!png) continue;
    const pngPath = path.replace(/\.svg$/, '.png');
    const r = spawnSync('rsvg-convert', ['-z', '2', '-o', pngPath, path], { encoding: 'utf8' });
    if (r.error) {
      logLine('PNG skipped: rsvg-convert not found (Debian: apt-get install librsvg2-bin)');
      return;
    }
    if (r.status !== 0) logLine(`PNG skipped: rsvg-convert failed: ${r.stderr.trim()}`);
    else logLine(`wrote ${pngPath}`);
  }
}

export const registerAnalyze: CommandRegistrar = (program) => {
  program
    .command('analyze')
    .description(
      'Fit score ~ w + w^2 + (1|benchmark) per dataset (REML and ML), test PLW by the Kenward-Roger F-test (likelihood ratio beside it), find the best PLW.',
    )
    .argument(
      '<file>',
      'CSV with columns plw,benchmark,score[,dataset,model,seed,n,chance,stderr,lower,upper]',
    )
    .option('--exponent <x>', 'w = PLW^x', parseNumber('--exponent', 1e-6), DEFAULT_EXPONENT)
    .option('--json', 'print one JSON document (an array, one object per group)')
    .option(
      '--bootstrap <n>',
      'parametric bootstrap replicates for the best-PLW interval (0: skip)',
      parseInteger('--bootstrap', 0),
      1000,
    )
    .option('--seed <n>', 'seed of the bootstrap', parseInteger('--seed', 0), 42)
    .option('--zscore', 'z-score each benchmark before pooling')
    .option('--split-models', 'one group per dataset and model instead of pooling models')
    .option('--figures <dir>', 'write per-benchmark.svg and aggregate.svg into DIR')
    .option('--png', 'with --figures, also render PNGs (needs rsvg-convert)')
    .option('--format <fmt>', `analysis table format: ${EXPORT_FORMATS.join('|')}`, parseFormat)
    .option('--out <file>', 'write the analysis table (--format) to FILE instead of stdout')
    .option('--exclude <benchmark>', 'leave a benchmark out of the fit (repeatable)', collectName)
    .option(
      '--include <benchmark>',
      'fit a benchmark the default leaves out (scores all equal, or at chance in every cell; repeatable)',
      collectName,
    )
    .option(
      '--ratio <dataset=value>',
      "a dataset's completion/prompt ratio for the table (repeatable)",
      collectRatio,
    )
    .action(
      action(async (file: string, opts: AnalyzeOptions) => {
        if (opts.out !== undefined && opts.format === undefined) {
          throw new UsageError('--out needs --format md|tex|csv|json');
        }
        if (opts.json && opts.format !== undefined && opts.out === undefined) {
          throw new UsageError('--json and --format both print to stdout: add --out FILE');
        }
        if (opts.png && opts.figures === undefined)
          throw new UsageError('--png needs --figures DIR');
        const rows = await readScores(file);
        const analyses = analyzeScores(rows, {
          exponent: opts.exponent,
          bootstrap: opts.bootstrap,
          seed: opts.seed,
          zscore: opts.zscore ?? false,
          splitModels: opts.splitModels ?? false,
          benchmarks: {
            ...Object.fromEntries((opts.include ?? []).map((b) => [b, true])),
            ...Object.fromEntries((opts.exclude ?? []).map((b) => [b, false])),
          },
        });
        if (opts.figures !== undefined) {
          await writeFigures(opts.figures, rows, analyses, opts.exponent, opts.png ?? false);
        }
        if (opts.format !== undefined) {
          const text = formatTable(
            analysisTable(analyses, opts.ratio ?? new Map()),
            opts.format,
            'Effect of the prompt loss weight',
          );
          if (opts.out !== undefined) {
            await writeFile(opts.out, text);
            logLine(`wrote ${opts.out}`);
          } else {
            process.stdout.write(text);
            return;
          }
        }
        if (opts.json) printJson(analyses);
        else process.stdout.write(`${analyses.map(formatGroupReport).join('\n\n')}\n`);
      }),
    );
};
