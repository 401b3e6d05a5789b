import { describe, expect, it } from 'vitest';
import { lttb, smoothEma } from '../../src-shared/downsample';

type P = { x: number; y: number };
const px = (p: P): number => p.x;
const py = (p: P): number => p.y;

describe('lttb', () => {
  it('keeps endpoints and the spike of a 10,000-point curve drawn with 500 points', () => {
    const pts: P[] = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: Math.exp(-i / 3000) }));
    pts[4321] = { x: 4321, y: 25 };
    const out = lttb(pts, 500, px, py);
    expect(out).toHaveLength(500);
    expect(out[0]).toBe(pts[0]);
    expect(out[499]).toBe(pts[9999]);
    expect(out.some((p) => p.y === 25)).toBe(true);
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThan(out[i - 1]!.x);
  });

  it('matches the worked example and passes short inputs through', () => {
    const pts: P[] = [
      { x: 0, y: 0 },
      { x: 1, y: 5 },
      { x: 2, y: 0 },
      { x: 3, y: 1 },
    ];
    expect(lttb(pts, 3, px, py)).toEqual([pts[0], pts[1], pts[3]]);
    expect(lttb(pts, 10, px, py)).toEqual(pts);
    expect(() => lttb(pts, 2, px, py)).toThrow(RangeError);
  });
});

describe('smoothEma', () => {
  it('is the identity at weight 0 and debiased otherwise', () => {
    expect(smoothEma([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smoothEma([4, 4, 4], 0.9);
    for (const v of s) expect(v).toBeCloseTo(4, 12);
  });
});
