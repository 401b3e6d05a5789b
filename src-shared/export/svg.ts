/** Small building blocks of the standalone SVG figures: escaping, scales, ticks, colours. */

/** Escapes text for SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Rounds a coordinate to 0.01 px so the files stay small and diff-stable. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** A linear map from a data interval onto a pixel interval. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/**
 * "Nice" axis ticks covering [min, max] with about `count` steps of 1, 2 or 5 times a power of
 * ten (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
 * @example niceTicks(0.12, 0.87, 4) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const start = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v < max + step - 1e-9 * step; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** Tableau 10: distinguishable, colour-blind friendlier than the defaults. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/**
 * Short PLW tick labels: 0.0005 → "5e-4", 0.002236 → "0.0022", 0.02463 → "0.025".
 * @example plwLabel(0.2463) // "0.25"
 */
export function plwLabel(plw: number): string {
  if (plw === 0) return '0';
  if (plw < 0.001) return plw.toExponential(0);
  return String(Number(plw.toPrecision(2)));
}
