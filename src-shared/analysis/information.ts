/**
 * Which benchmarks carry no information about PLW, so the verdict can say so instead of
 * fitting noise: a benchmark whose scores are all equal (nothing to explain), or one whose
 * every score is indistinguishable from guessing (its 95% interval contains the chance level).
 * Both are left out of the fit by default. A benchmark clearly below chance is informative (the
 * model prefers wrong answers) but likely a format or scoring problem: flagged, and kept.
 */
import type { ScoreRow } from './scoresCsv';

export type BenchmarkFlag =
  /** Every score of the benchmark is `value`: excluded from the fit by default. */
  | { benchmark: string; kind: 'constant'; value: number }
  /** Every score's 95% interval contains the chance level: excluded from the fit by default. */
  | { benchmark: string; kind: 'at_chance'; chance: number }
  /**
   * Every score is below chance and at least one cell's 95% interval lies wholly below it:
   * kept (it varies with PLW), flagged next to the verdict.
   */
  | { benchmark: string; kind: 'below_chance'; chance: number; cells: number };

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
 * never flagged at chance, as nothing shows it. `below_chance`: every score below its chance
 * level and at least one cell's interval wholly below it (8/60 on a four-way task: Wilson
 * [0.069, 0.242] < 0.25).
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
    if (atChance) {
      flags.push({ benchmark, kind: 'at_chance', chance: list[0]!.chance as number });
      continue;
    }
    const below = (r: ScoreRow) => r.chance != null && r.score < r.chance;
    const clearlyBelow = list.filter((r) => below(r) && r.upper != null && r.upper < r.chance!);
    if (list.every(below) && clearlyBelow.length > 0) {
      flags.push({
        benchmark,
        kind: 'below_chance',
        chance: list[0]!.chance as number,
        cells: clearlyBelow.length,
      });
    }
  }
  return flags;
}

/** Whether a flag leaves its benchmark out of the fit by default. */
export function excludedByDefault(flag: BenchmarkFlag): boolean {
  return flag.kind === 'constant' || flag.kind === 'at_chance';
}

/**
 * The benchmarks left out of the fit: constant ones and ones at chance in every cell by
 * default, then the user's choices (`overrides`: benchmark → true to include, false to
 * exclude) on top.
 * @example excludedBenchmarks([{ benchmark: 'g', kind: 'constant', value: 0 }], {}) // ['g']
 */
export function excludedBenchmarks(
  flags: readonly BenchmarkFlag[],
  overrides: Readonly<Record<string, boolean>> = {},
): string[] {
  const out = new Set(flags.filter(excludedByDefault).map((f) => f.benchmark));
  for (const [benchmark, include] of Object.entries(overrides)) {
    if (include) out.delete(benchmark);
    else out.add(benchmark);
  }
  return [...out];
}

function formatScore(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** Why a flag's benchmark carries no (or suspect) information, in a few words. */
export function flagReason(flag: BenchmarkFlag): string {
  switch (flag.kind) {
    case 'constant':
      return `every score is ${formatScore(flag.value)}`;
    case 'at_chance':
      return `at chance (${formatScore(flag.chance)}) in every cell`;
    case 'below_chance':
      return `below chance (${formatScore(flag.chance)}): the model prefers wrong answers, likely a format or scoring problem`;
  }
}

/**
 * A flag in words, as shown next to the verdict: "demo_gen: every score is 0 — excluded",
 * "demo_mc: at chance (0.25) in every cell — included by choice", "demo_mc: below chance
 * (0.25): … — kept".
 */
export function describeFlag(flag: BenchmarkFlag, excluded: boolean): string {
  const byDefault = excludedByDefault(flag);
  const tail = excluded
    ? byDefault
      ? ' — excluded'
      : ' — excluded by choice'
    : byDefault
      ? ' — included by choice'
      : ' — kept';
  return `${flag.benchmark}: ${flagReason(flag)}${tail}`;
}
