import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import type { LmmFit } from './lmm';

export interface LikelihoodRatioTest {
  chisq: number;
  df: number;
  p: number;
}

/**
 * Likelihood-ratio test of a nested null model against a fuller one, both fitted by ML (as R's
 * `anova(null, full)` does after refitting REML fits with ML): chisq = 2 (logLik_full -
 * logLik_null) on `df` degrees of freedom, p = P(X > chisq) from stdlib's chi-square CDF.
 * p is computed as 1 - CDF, so values below about 1e-16 come out as 0.
 * @throws Error if either fit is REML (REML likelihoods of different fixed effects are not
 *   comparable).
 * @example likelihoodRatioTest(mlFull, mlNull, 2) // { chisq: 62.06, df: 2, p: 3.3e-14 }
 */
export function likelihoodRatioTest(
  full: LmmFit,
  nullFit: LmmFit,
  df: number,
): LikelihoodRatioTest {
  if (full.method !== 'ML' || nullFit.method !== 'ML') {
    throw new Error('the likelihood-ratio test needs ML fits of both models');
  }
  // The full model nests the null one, so a negative statistic is optimizer noise.
  const chisq = Math.max(0, 2 * (full.logLik - nullFit.logLik));
  return { chisq, df, p: Math.max(0, 1 - chisquareCdf(chisq, df)) };
}
