/**
 * What each benchmark metric is, and so how its uncertainty is computed: one table, used by the
 * worker when it reports a score and by main when it draws intervals, so no caller guesses
 * (e.g. "everything but BLEU is a 0/1 proportion").
 */
import { wilsonInterval, type Interval } from './analysis/intervals';

export type MetricKind =
  /** The mean of one 0/1 outcome per item, in [0, 1]: intervals are Wilson's on n items. */
  | 'proportion'
  /** Corpus BLEU in percent: not a mean of per-item scores, so intervals are bootstrapped over sentences by the evaluator. */
  | 'corpus_bleu';

export interface MetricDefinition {
  kind: MetricKind;
  /** Highest possible score (1 for proportions, 100 for BLEU in percent). */
  max: number;
  description: string;
}

export const METRICS: Readonly<Record<string, MetricDefinition>> = {
  acc: { kind: 'proportion', max: 1, description: 'accuracy: share of items answered right' },
  acc_norm: {
    kind: 'proportion',
    max: 1,
    description: 'accuracy with choices ranked by log-likelihood per character',
  },
  exact_match: {
    kind: 'proportion',
    max: 1,
    description: 'share of generations whose answer matches exactly',
  },
  bleu: { kind: 'corpus_bleu', max: 100, description: 'corpus BLEU (sacreBLEU defaults), %' },
};

/** The definition of a metric, or null for one this app does not know (no interval drawn). */
export function metricDefinition(metric: string): MetricDefinition | null {
  return Object.hasOwn(METRICS, metric) ? (METRICS[metric] as MetricDefinition) : null;
}

/**
 * Standard error of a proportion metric as lm-eval reports it (sample standard deviation of the
 * 0/1 outcomes over sqrt(n)): sqrt(p(1-p)/(n-1)); null with fewer than 2 items.
 * @example proportionStderr(0.25, 61) // 0.0559…
 */
export function proportionStderr(p: number, n: number): number | null {
  return n > 1 ? Math.sqrt((p * (1 - p)) / (n - 1)) : null;
}

/** A reported score's uncertainty: what the score table stores beside the value. */
export interface ScoreUncertainty {
  /** Items the score was computed on. */
  n: number | null;
  /** Expected score of random guessing (mean 1/choices for multiple choice; 0 for generation). */
  chance: number | null;
  stderr: number | null;
  /** 95% interval, or null when the metric or n does not allow one. */
  interval: Interval | null;
}

/**
 * The 95% interval of a score from its definition: Wilson on n items for proportions; for
 * corpus BLEU the evaluator's bootstrap interval (`bootstrap`), since only it has the sentences.
 * Null when unknown (no n, an unknown metric, or BLEU without a bootstrap).
 * @example scoreInterval('acc', 0.25, 60) // { lower: 0.158, upper: 0.372 }
 */
export function scoreInterval(
  metric: string,
  value: number,
  n: number | null,
  bootstrap: Interval | null = null,
): Interval | null {
  const def = metricDefinition(metric);
  if (def === null) return null;
  if (def.kind === 'corpus_bleu') return bootstrap;
  if (n === null || n < 1 || !(value >= 0 && value <= 1)) return null;
  return wilsonInterval(value, n);
}

/** The uncertainty fields of a score as the worker reports and the store keeps them. */
export interface ScoreUncertaintyFields {
  n: number | null;
  chance: number | null;
  stderr: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * Everything a score's reader needs to judge it, from the metric's definition: n items, the
 * chance level, the standard error (lm-eval's for proportions, the bootstrap's for BLEU) and
 * the 95% interval (`scoreInterval`).
 * @example scoreUncertainty('acc', 0.25, 60, 0.25, null)
 *   // { n: 60, chance: 0.25, stderr: 0.0564, lower: 0.158, upper: 0.372 }
 */
export function scoreUncertainty(
  metric: string,
  value: number,
  n: number,
  chance: number,
  bootstrap: (Interval & { stderr: number }) | null,
): ScoreUncertaintyFields {
  const def = metricDefinition(metric);
  const interval = scoreInterval(metric, value, n, bootstrap);
  const stderr =
    def?.kind === 'proportion'
      ? proportionStderr(value, n)
      : def?.kind === 'corpus_bleu'
        ? (bootstrap?.stderr ?? null)
        : null;
  return {
    n,
    chance: def === null ? null : chance,
    stderr,
    lower: interval?.lower ?? null,
    upper: interval?.upper ?? null,
  };
}
