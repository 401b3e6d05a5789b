/**
 * Mean and sample standard deviation of replicate scores (the grid's "mean ± sd" of a cell run
 * with several seeds): sd = sqrt(Σ(x - mean)² / (n - 1)), R's `sd`.
 * @throws InsufficientDataError on no scores. One score has sd 0 (nothing to spread).
 * @example meanSd([0.5, 0.6, 0.7]) // { mean: 0.6, sd: 0.1, n: 3 }
 */
import { InsufficientDataError } from './errors';

export function meanSd(xs: readonly number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  if (n === 0) throw new InsufficientDataError('mean of no scores');
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}
