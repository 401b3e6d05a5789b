/**
 * Which benchmarks carry no information about PLW, so the verdict can say so instead of
 * fitting noise: a benchmark whose scores are all equal (nothing to explain), or one whose
 * every score is indistinguishable from guessing (its 95% interval contains the chance level).
 */
import type { ScoreRow } from './scoresCsv';

export type BenchmarkFlag =
  /** Every score of the benchmark is `value`: excluded from the fit by default. */
  | { benchmark: string; kind: 'constant'; value: number }
  /** Every score's 95% interval contains the chance level: kept, but said next to the verdict. */
  | { benchmark: string; kind: 'at_chance'; chance: number };

/** Equality of scores up to float noise relative to their size. */
function allEqual(xs: readonly number[]): boolean {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return hi - lo <= 1e-12 * Math.max(1, Math.abs(hi));
}

/**
 * The flags of each benchmark in `rows` (in order of first appearance; at most one each:
 * `constant` wins, since a constant benchmark is uninformative whatever its level).
 * `at_chance` needs an interval and a chance level on every score; without them a benchmark is
 * never flagged at chance, as nothing shows it.
 * @example informationFlags([{benchmark: 'g', score: 0, …}, {benchmark: 'g', score: 0, …}])
 *   // [{ benchmark: 'g', kind: 'constant', value: 0 }]
 */
export function informationFlags(rows: readonly ScoreRow[]): BenchmarkFlag[] {
  const byBenchmark = new Map<string, ScoreRow[]>();
  for (const r of rows) byBenchmark.set(r.benchmark, [...(byBenchmark.get(r.benchmark) ?? []), r]);
  const flags: BenchmarkFlag[] = [];
  for (const [benchmark, list] of byBenchmark) {
    const scores = list.map((r) => r.score);
    if (allEqual(scores)) {
      flags.push({ benchmark, kind: 'constant', value: scores[0] as number });
      continue;
    }
    const atChance = list.every(
      (r) =>
        r.chance != null &&
        r.lower != null &&
        r.upper != null &&
        r.lower <= r.chance &&
        r.chance <= r.upper,
    );
    if (atChance) flags.push({ benchmark, kind: 'at_chance', chance: list[0]!.chance as number });
  }
  return flags;
}

/**
 * The benchmarks left out of the fit: constant ones by default, then the user's choices
 * (`overrides`: benchmark → true to include, false to exclude) on top.
 * @example excludedBenchmarks([{ benchmark: 'g', kind: 'constant', value: 0 }], {}) // ['g']
 */
export function excludedBenchmarks(
  flags: readonly BenchmarkFlag[],
  overrides: Readonly<Record<string, boolean>> = {},
): string[] {
  const out = new Set(flags.filter((f) => f.kind === 'constant').map((f) => f.benchmark));
  for (const [benchmark, include] of Object.entries(overrides)) {
    if (include) out.delete(benchmark);
    else out.add(benchmark);
  }
  return [...out];
}

function formatScore(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/**
 * A flag in words, as shown next to the verdict: "demo_gen: every score is 0 — excluded",
 * "demo_mc: at chance (0.25) in every cell".
 */
export function describeFlag(flag: BenchmarkFlag, excluded: boolean): string {
  const tail = excluded ? ' — excluded' : ' — included by choice';
  if (flag.kind === 'constant') {
    return `${flag.benchmark}: every score is ${formatScore(flag.value)}${tail}`;
  }
  return `${flag.benchmark}: at chance (${formatScore(flag.chance)}) in every cell${excluded ? ' — excluded' : ''}`;
}
