import { quantile } from '../analysis/quantile';
import { Rng } from '../random';
import { computeBleu } from './bleu';
import { sumStats, type BleuStats } from './stats';

/** A bootstrap interval of corpus BLEU (percent, as the score). */
export interface BleuInterval {
  lower: number;
  upper: number;
  /** Standard deviation of the resampled scores: BLEU's standard error. */
  stderr: number;
  replicates: number;
  seed: number;
}

/**
 * Percentile bootstrap interval of corpus BLEU over sentences (Koehn 2004, "Statistical
 * significance tests for machine translation evaluation"; sacreBLEU's `--confidence` resamples
 * the same way): draw as many sentences as there are, with replacement, sum their statistics,
 * recompute corpus BLEU; the interval is the (1-level)/2 and 1-(1-level)/2 quantiles (R type 7)
 * of the replicates. Seeded, so the same call gives the same interval.
 * @throws Error when there are no sentences.
 * @example bleuBootstrapInterval(segmentStatsOfTestSet) // { lower: 21.3, upper: 27.9, stderr: 1.7, … }
 */
export function bleuBootstrapInterval(
  sentences: readonly BleuStats[],
  options: { replicates?: number; seed?: number; level?: number } = {},
): BleuInterval {
  const n = sentences.length;
  if (n === 0) throw new Error('BLEU bootstrap: no sentences');
  const replicates = options.replicates ?? 1000;
  const seed = options.seed ?? 12345;
  const level = options.level ?? 0.95;
  const rng = new Rng(seed);
  const scores = new Float64Array(replicates);
  const sample: BleuStats[] = new Array<BleuStats>(n);
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < n; i++) sample[i] = sentences[rng.int(n)] as BleuStats;
    scores[r] = computeBleu(sumStats(sample), false).score;
  }
  let mean = 0;
  for (const s of scores) mean += s / replicates;
  let ss = 0;
  for (const s of scores) ss += (s - mean) ** 2;
  scores.sort();
  const tail = (1 - level) / 2;
  return {
    lower: quantile(scores, tail),
    upper: quantile(scores, 1 - tail),
    stderr: replicates > 1 ? Math.sqrt(ss / (replicates - 1)) : 0,
    replicates,
    seed,
  };
}
