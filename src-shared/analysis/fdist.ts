/**
 * The F distribution's upper tail, quantile and noncentral upper tail, on stdlib's regularized
 * incomplete beta function (Boost's algorithm) and F quantile.
 */
import betainc from '@stdlib/math-base-special-betainc';
import fQuantileStdlib from '@stdlib/stats-base-dists-f-quantile';

/**
 * P(F > f) for F ~ F(d1, d2): I_{d2 / (d2 + d1 f)}(d2 / 2, d1 / 2), exact in the far tail
 * (no 1 - CDF cancellation).
 * @example fUpperTail(3.3537591325513, 2, 34) // 0.04684604602055 (R: pf(…, 2, 34, lower = FALSE))
 */
export function fUpperTail(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  if (f === Infinity) return 0;
  return betainc(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** The F(d1, d2) quantile at probability `p` (R: qf). */
export function fQuantile(p: number, d1: number, d2: number): number {
  return fQuantileStdlib(p, d1, d2);
}

/**
 * P(F' > f) for the noncentral F'(d1, d2, ncp) (R: pf(f, d1, d2, ncp, lower = FALSE)), as the
 * Poisson(ncp / 2) mixture of central beta tails (Johnson, Kotz & Balakrishnan 1995,
 * "Continuous Univariate Distributions" vol. 2, ch. 30): the sum runs outward from the
 * Poisson mode until the remaining Poisson mass is below 1e-14.
 * @example noncentralFUpperTail(4.102821, 2, 10, 10) // 0.7009… (R: pf(4.102821, 2, 10, 10, lower = FALSE))
 */
export function noncentralFUpperTail(f: number, d1: number, d2: number, ncp: number): number {
  if (!(f > 0)) return 1;
  if (!(ncp > 0)) return fUpperTail(f, d1, d2);
  const x = (d1 * f) / (d1 * f + d2);
  const half = ncp / 2;
  const mode = Math.floor(half);
  // Poisson weights by recurrence from the mode's, w_j = w_{j-1} half / j.
  const wMode = Math.exp(-half + mode * Math.log(half) - logFactorial(mode));
  const term = (j: number, wj: number) => wj * betainc(x, d1 / 2 + j, d2 / 2, true, true);
  let total = 0;
  let wj = wMode;
  for (let j = mode; wj > 1e-17 || j < mode + 5; j++) {
    total += term(j, wj);
    wj *= half / (j + 1);
  }
  wj = wMode;
  for (let j = mode - 1; j >= 0 && wj > 1e-17; j--) {
    wj *= (j + 1) / half;
    total += term(j, wj);
  }
  return Math.min(1, total);
}

function logFactorial(j: number): number {
  let s = 0;
  for (let i = 2; i <= j; i++) s += Math.log(i);
  return s;
}
