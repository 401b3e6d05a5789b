/**
 * Sample quantile with linear interpolation between order statistics (R's default type 7).
 * @throws Error on an empty sample.
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(sorted: ArrayLike<number>, prob: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty sample');
  const h = (n - 1) * prob;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
