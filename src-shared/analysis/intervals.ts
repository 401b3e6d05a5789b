import { InsufficientDataError } from './errors';

/** A two-sided confidence interval. */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * The standard normal quantile Φ⁻¹(p): Acklam's rational approximation (P. J. Acklam, "An
 * algorithm for computing the inverse normal cumulative distribution function", 2003; relative
 * error below 1.2e-9 against R's `qnorm`).
 * @throws RangeError unless 0 < p < 1.
 * @example normalQuantile(0.975) // 1.959963984540054 (R: qnorm(0.975))
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile: p = ${p} is not in (0, 1)`);
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
    -3.066479806614716e1, 2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/**
 * The Wilson score interval of a proportion (Wilson 1927; Brown, Cai & DasGupta 2001 recommend
 * it over the Wald interval, which collapses to a point at 0 or 1 correct answers):
 * (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 - (1-level)/2).
 * It is what R's `prop.test(x, n, correct = FALSE)$conf.int` gives.
 * @throws InsufficientDataError when n < 1; RangeError when p is outside [0, 1].
 * @example wilsonInterval(0.25, 60) // { lower: 0.1580…, upper: 0.3721… }
 */
export function wilsonInterval(p: number, n: number, level = 0.95): Interval {
  if (!(n >= 1)) throw new InsufficientDataError(`a proportion needs n >= 1 items, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a proportion must lie in [0, 1], got ${p}`);
  const z = normalQuantile(1 - (1 - level) / 2);
  const z2n = (z * z) / n;
  const centre = p + z2n / 2;
  const half = z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return {
    lower: Math.max(0, (centre - half) / (1 + z2n)),
    upper: Math.min(1, (centre + half) / (1 + z2n)),
  };
}

/**
 * Chance level of a multiple-choice benchmark: the expected accuracy of a uniform random guess,
 * the mean over items of 1 / (number of choices).
 * @throws InsufficientDataError on no items, RangeError on an item with no choices.
 * @example chanceLevel([4, 4, 2]) // 0.3333…
 */
export function chanceLevel(choicesPerItem: readonly number[]): number {
  if (choicesPerItem.length === 0) throw new InsufficientDataError('chance level of no items');
  let sum = 0;
  for (const k of choicesPerItem) {
    if (!(k >= 1)) throw new RangeError(`an item with ${k} choices has no chance level`);
    sum += 1 / k;
  }
  return sum / choicesPerItem.length;
}
