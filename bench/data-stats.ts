/**
 * Data-stats benchmark: the dataset statistics of docs/METHOD.md "Dataset statistics" of an instruction file with the
 * SentencePiece tokenizer, ours (the product path: loadTokenizer + datasetStats) against the
 * reference `sentencepiece` library run by /usr/bin/python3 in the same benchmark run.
 *
 *   npx tsx bench/data-stats.ts [--file DATA.json] [--tokenizer tokenizer.model] [--repeats 5]
 *
 * Prints records/s of both, the ratio ours/python, and checks that every per-record token
 * count and every statistic agree, plain and with --short (the short-completion transform;
 * the Python side implements it from the text of docs/METHOD.md "Dataset statistics"). Timed: tokenizing all fields of all records and computing
 * the statistics, records already in memory (file parsing is not the tokenizer's cost).
 * "cold" passes use a fresh tokenizer (empty chunk cache, like the first pass over a dataset);
 * "warm" is a second pass on the same tokenizer (a dataset seen again, as in training epochs).
 * Python runs one pass per round in its own process (its load time is reported apart).
 * Exit status 1 when the counts differ.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstructionRecord } from '../src-shared/alpaca';
import { datasetStats } from '../src-worker/data/stats';
import type { DatasetStats } from '../src-worker/data/stats';
import { shortCompletion } from '../src-worker/data/short';
import { recordCounts } from '../src-worker/data/token-counts';
import { loadTokenizer } from '../src-worker/tokenizers';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = process.env.PLW_SHARED_DATA ?? resolve(HERE, '../../shared/data');

interface PythonResult {
  sentencepiece: string;
  loadSeconds: number;
  seconds: number[];
  counts: { instruction: number[]; input: number[]; output: number[] };
  stats: Omit<DatasetStats, 'completionPromptRatio'> & { completionPromptRatio: number | null };
}

/** One timed pass of bench/data_stats_ref.py; undefined (and exit code 1) when it cannot run. */
function runPython(model: string, file: string, short: boolean): PythonResult | undefined {
  const args = [join(HERE, 'data_stats_ref.py'), model, file, '1', short ? 'short' : 'plain'];
  const py = spawnSync('/usr/bin/python3', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (py.status !== 0) {
    const why = py.stderr || py.error?.message || `exit ${py.status}`;
    console.log(`python reference unavailable (needs Debian python3-sentencepiece): ${why}`);
    process.exitCode = 1;
    return undefined;
  }
  return JSON.parse(py.stdout) as PythonResult;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Relative agreement for floating statistics computed in different orders (Welford vs sums). */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

function compareStats(ours: DatasetStats, ref: PythonResult['stats']): string[] {
  const problems: string[] = [];
  if (ours.count !== ref.count) problems.push(`count ${ours.count} vs ${ref.count}`);
  if (ours.totalTokens !== ref.totalTokens) {
    problems.push(`totalTokens ${ours.totalTokens} vs ${ref.totalTokens}`);
  }
  for (const field of ['instruction', 'input', 'completion'] as const) {
    for (const k of ['mean', 'std'] as const) {
      if (!close(ours[field][k], ref[field][k])) {
        problems.push(`${field}.${k} ${ours[field][k]} vs ${ref[field][k]}`);
      }
    }
  }
  const ratio = ref.completionPromptRatio ?? Infinity;
  if (!(ours.completionPromptRatio === ratio || close(ours.completionPromptRatio, ratio))) {
    problems.push(`completionPromptRatio ${ours.completionPromptRatio} vs ${ratio}`);
  }
  return problems;
}

async function main(): Promise<void> {
  const file = resolve(option('file', join(DATA, 'instructions/gsm_8k_train.json')));
  const model = resolve(option('tokenizer', join(DATA, 'tokenizer.model')));
  const repeats = Math.max(1, Number(option('repeats', '5')));
  const records = JSON.parse(
    readFileSync(file, 'utf8').replace(/^\uFEFF/, ''),
  ) as InstructionRecord[];
  console.log(`data-stats bench: ${file} (${records.length} records), ${model}`);

  // Rounds interleave ours (cold, then warm) and python, so a load change on this shared
  // machine hits both sides alike rather than whichever ran during it.
  const cold: number[] = [];
  const warm: number[] = [];
  const pySeconds: number[] = [];
  const loads: number[] = [];
  let stats: DatasetStats | undefined;
  let ref: PythonResult | undefined;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const tok = await loadTokenizer(model);
    const t1 = performance.now();
    stats = await datasetStats(records, tok);
    const t2 = performance.now();
    await datasetStats(records, tok);
    warm.push((performance.now() - t2) / 1000);
    cold.push((t2 - t1) / 1000);
    loads.push((t1 - t0) / 1000);
    ref = runPython(model, file, false);
    if (ref === undefined) return;
    pySeconds.push(...ref.seconds);
  }
  if (ref === undefined) return;
  const oursCold = records.length / median(cold);
  const oursWarm = records.length / median(warm);
  const pyRate = records.length / median(pySeconds);
  console.log(`ours   load tokenizer: ${(median(loads) * 1000).toFixed(0)} ms`);
  console.log(
    `ours   cold: ${fmt(oursCold)} records/s (median of ${repeats}, fresh tokenizer each)`,
  );
  console.log(
    `ours   warm: ${fmt(oursWarm)} records/s (median of ${repeats}, second pass, same tokenizer)`,
  );
  console.log(
    `python load tokenizer: ${(ref.loadSeconds * 1000).toFixed(0)} ms (sentencepiece ${ref.sentencepiece})`,
  );
  console.log(`python:      ${fmt(pyRate)} records/s (median of ${repeats})`);
  console.log(
    `ratio ours/python: cold ${(oursCold / pyRate).toFixed(2)}x, warm ${(oursWarm / pyRate).toFixed(2)}x`,
  );

  // Identical counts: every record's three fields, then the statistics; plain and --short.
  let problemsFound = false;
  for (const short of [false, true]) {
    const check = await loadTokenizer(model);
    const refRun = short ? runPython(model, file, true) : ref;
    if (refRun === undefined) return;
    const ours = short ? await datasetStats(records, check, { short: true }) : stats;
    let differing = 0;
    records.forEach((record, i) => {
      const plain = recordCounts(record, check);
      const c = short ? shortCompletion(record, check, plain).counts : plain;
      if (
        c.instruction !== refRun.counts.instruction[i] ||
        c.input !== refRun.counts.input[i] ||
        c.output !== refRun.counts.output[i]
      ) {
        if (differing++ < 5) console.log(`  record ${i}: ours ${JSON.stringify(c)}`);
      }
    });
    const problems = ours ? compareStats(ours, refRun.stats) : ['no statistics'];
    console.log(
      `${short ? '--short' : 'plain  '} counts: ${differing === 0 ? 'identical' : `${differing} records differ`} ` +
        `(${records.length} records x 3 fields); statistics: ${problems.length === 0 ? 'identical' : problems.join('; ')}`,
    );
    if (ours) {
      console.log(
        `        instruction ${ours.instruction.mean.toFixed(2)} (${ours.instruction.std.toFixed(2)}), ` +
          `input ${ours.input.mean.toFixed(2)} (${ours.input.std.toFixed(2)}), ` +
          `completion ${ours.completion.mean.toFixed(2)} (${ours.completion.std.toFixed(2)}), ` +
          `total ${ours.totalTokens}, completion/prompt ${ours.completionPromptRatio.toFixed(3)}`,
      );
    }
    if (differing > 0 || problems.length > 0) problemsFound = true;
  }
  if (problemsFound) process.exitCode = 1;
}

await main();
