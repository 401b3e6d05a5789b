/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013, "Downsampling Time Series for
 * Visual Representation", ch. 4): keeps the first and last points and, per bucket, the point
 * forming the largest triangle with the previous kept point and the next bucket's mean, so a
 * 10,000-point loss curve drawn with 1,000 points keeps its spikes and shape.
 *
 * @throws RangeError when threshold is below 3 (and not 0).
 * @example lttb([{x:0,y:0},{x:1,y:5},{x:2,y:0},{x:3,y:1}], 3, p => p.x, p => p.y)
 *   // → [{x:0,y:0},{x:1,y:5},{x:3,y:1}]
 */
export function lttb<T>(
  points: readonly T[],
  threshold: number,
  x: (p: T) => number,
  y: (p: T) => number,
): T[] {
  if (threshold === 0 || threshold >= points.length) return points.slice();
  if (threshold < 3) throw new RangeError(`lttb: threshold must be at least 3, got ${threshold}`);
  const out: T[] = [points[0] as T];
  const bucketSize = (points.length - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * bucketSize) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * bucketSize) + 1, points.length);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += x(points[j] as T);
      avgY += y(points[j] as T);
    }
    const n = Math.max(nextEnd - nextStart, 1);
    avgX /= n;
    avgY /= n;
    const start = Math.floor(i * bucketSize) + 1;
    const end = Math.floor((i + 1) * bucketSize) + 1;
    const ax = x(points[a] as T);
    const ay = y(points[a] as T);
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const p = points[j] as T;
      const area = Math.abs((ax - avgX) * (y(p) - ay) - (ax - x(p)) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best] as T);
    a = best;
  }
  out.push(points[points.length - 1] as T);
  return out;
}

/**
 * Exponential moving average with bias correction (as TensorBoard's smoothing slider):
 * weight 0 returns the values unchanged; 0.99 is very smooth.
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  const out: number[] = [];
  let last = 0;
  let debias = 0;
  for (const v of values) {
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out.push(weight === 0 ? v : last / debias);
  }
  return out;
}
