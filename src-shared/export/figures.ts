import type { GroupAnalysis } from '../analysis/analyze';
import { describeGroup } from '../analysis/analyze';
import { DEFAULT_EXPONENT, plwToW } from '../analysis/model';
import { aggregateCurve, evalQuadratic, type QuadraticOls } from '../analysis/perBenchmark';
import type { ScoreRow } from '../analysis/scoresCsv';
import { PALETTE, escapeXml, linearScale, niceTicks, plwLabel, px } from './svg';

/** One line of a panel: points, and either a fitted quadratic or a polyline through them. */
export interface FigureSeries {
  label: string;
  points: { plw: number; score: number }[];
  /** Drawn as a smooth curve over [0, 1]; without it the points are joined in PLW order. */
  fit?: QuadraticOls | null;
}

export interface FigurePanel {
  title: string;
  series: FigureSeries[];
}

export interface FigureOptions {
  title: string;
  yLabel: string;
  exponent?: number;
  /** Panels per row (default: up to 3). */
  columns?: number;
  /** Size of one panel in px (default 340 x 250). */
  panelWidth?: number;
  panelHeight?: number;
}

const MARGIN = { left: 56, right: 14, top: 30, bottom: 62 };

/**
 * Renders panels of score against w = PLW^exponent as one standalone SVG document: x ticks at
 * the PLWs present (labelled by PLW, thinned where they would overlap), a shared legend of
 * series (same colour for a series in every panel), points, and fitted curves or lines.
 */
export function renderFigure(panels: FigurePanel[], options: FigureOptions): string {
  const exponent = options.exponent ?? DEFAULT_EXPONENT;
  const size = { w: options.panelWidth ?? 340, h: options.panelHeight ?? 250 };
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length));
  const rowsOfPanels = Math.ceil(panels.length / columns);
  const labels = [...new Set(panels.flatMap((p) => p.series.map((s) => s.label)))];
  const color = (label: string) => PALETTE[labels.indexOf(label) % PALETTE.length];
  const legendRows = Math.ceil(labels.length / 3);
  const headerH = 34 + legendRows * 18;
  const width = columns * size.w;
  const height = headerH + rowsOfPanels * size.h;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  labels.forEach((label, i) => {
    const x = 16 + (i % 3) * (width / 3);
    const y = 40 + Math.floor(i / 3) * 18;
    out.push(
      `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${color(label)}" stroke-width="2"/>`,
      `<circle cx="${x + 11}" cy="${y}" r="3" fill="${color(label)}"/>`,
      `<text x="${x + 28}" y="${y + 4}">${escapeXml(label)}</text>`,
    );
  });

  panels.forEach((panel, index) => {
    const ox = (index % columns) * size.w;
    const oy = headerH + Math.floor(index / columns) * size.h;
    out.push(renderPanel(panel, { ox, oy, ...size }, exponent, options.yLabel, color));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function renderPanel(
  panel: FigurePanel,
  box: { ox: number; oy: number; w: number; h: number },
  exponent: number,
  yLabel: string,
  color: (label: string) => string,
): string {
  const { ox, oy } = box;
  const x0 = ox + MARGIN.left;
  const x1 = ox + box.w - MARGIN.right;
  const y0 = oy + box.h - MARGIN.bottom;
  const y1 = oy + MARGIN.top;
  const points = panel.series.flatMap((s) => s.points);
  const fitted = panel.series.flatMap((s) =>
    s.fit ? curveSamples(s.fit).map((c) => c.score) : [],
  );
  const ys = [...points.map((p) => p.score), ...fitted];
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const sx = linearScale(0, 1, x0, x1);
  const sy = linearScale(yTicks[0], yTicks[yTicks.length - 1], y0, y1);
  const parts: string[] = [
    `<g>`,
    `<text x="${px((x0 + x1) / 2)}" y="${px(oy + 18)}" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  for (const t of yTicks) {
    const y = sy(t);
    parts.push(
      `<line x1="${px(x0)}" y1="${px(y)}" x2="${px(x1)}" y2="${px(y)}" stroke="#e6e6e6"/>`,
      `<text x="${px(x0 - 5)}" y="${px(y + 4)}" text-anchor="end">${escapeXml(String(t))}</text>`,
    );
  }
  // PLW ticks at their w positions; a label is dropped when it would touch the previous one.
  const plws = [...new Set(points.map((p) => p.plw))].sort((a, b) => a - b);
  let lastX = -Infinity;
  for (const plw of plws) {
    const x = sx(plwToW(plw, exponent));
    parts.push(
      `<line x1="${px(x)}" y1="${px(y1)}" x2="${px(x)}" y2="${px(y0)}" stroke="#f0f0f0"/>`,
      `<line x1="${px(x)}" y1="${px(y0)}" x2="${px(x)}" y2="${px(y0 + 4)}" stroke="#888"/>`,
    );
    if (x - lastX >= 13) {
      parts.push(
        `<text transform="translate(${px(x + 3)},${px(y0 + 9)}) rotate(-45)" text-anchor="end">${escapeXml(plwLabel(plw))}</text>`,
      );
      lastX = x;
    }
  }
  parts.push(
    `<text x="${px((x0 + x1) / 2)}" y="${px(y0 + 54)}" text-anchor="middle">PLW (axis: w = PLW^${escapeXml(String(exponent))})</text>`,
    `<text transform="translate(${px(ox + 14)},${px((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  // The frame goes over the grid lines.
  parts.push(
    `<rect x="${px(x0)}" y="${px(y1)}" width="${px(x1 - x0)}" height="${px(y0 - y1)}" fill="none" stroke="#888"/>`,
  );
  for (const s of panel.series) {
    const c = color(s.label);
    const pts = [...s.points]
      .sort((a, b) => a.plw - b.plw)
      .map((p) => ({ w: plwToW(p.plw, exponent), score: p.score }));
    const line = s.fit ? curveSamples(s.fit) : pts;
    if (line.length > 1) {
      const d = line
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(sx(p.w))},${px(sy(p.score))}`)
        .join('');
      parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    }
    for (const p of pts) {
      parts.push(
        `<circle cx="${px(sx(p.w))}" cy="${px(sy(p.score))}" r="3" fill="${c}" fill-opacity="0.8"/>`,
      );
    }
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The fitted curve sampled over w in [0, 1]. */
function curveSamples(fit: QuadraticOls): { w: number; score: number }[] {
  return Array.from({ length: 61 }, (_, i) => ({ w: i / 60, score: evalQuadratic(fit, i / 60) }));
}

/**
 * Per-benchmark figure (docs/METHOD.md "Figures"): one panel per benchmark, one series per analysed
 * group (dataset, or dataset x model) with its points and that benchmark's own quadratic fit.
 */
export function perBenchmarkFigure(
  analyses: GroupAnalysis[],
  options: { title?: string; exponent?: number } = {},
): string {
  const benchmarks = [...new Set(analyses.flatMap((a) => a.benchmarkNames))];
  const panels = benchmarks.map((benchmark) => ({
    title: benchmark,
    series: analyses.flatMap((a) =>
      a.perBenchmark
        .filter((c) => c.benchmark === benchmark)
        .map((c) => ({ label: describeGroup(a.group), points: c.points, fit: c.fit })),
    ),
  }));
  const zscored = analyses.some((a) => a.zscored);
  return renderFigure(panels, {
    title: options.title ?? 'Score against PLW, per benchmark',
    yLabel: zscored ? 'score (z)' : 'score',
    exponent: options.exponent ?? analyses[0]?.exponent,
  });
}

/**
 * Aggregate figure: the unweighted mean over benchmarks per PLW, one line per model x dataset
 * (always split by model, whatever the analysis pooled). A naive mean: see docs/METHOD.md "Analysis".
 */
export function aggregateFigure(
  rows: ScoreRow[],
  options: { title?: string; exponent?: number } = {},
): string {
  const groups = new Map<string, ScoreRow[]>();
  for (const row of rows) {
    const label = describeGroup({ dataset: row.dataset, model: row.model });
    groups.set(label, [...(groups.get(label) ?? []), row]);
  }
  const series = [...groups].map(([label, list]) => ({
    label,
    points: aggregateCurve(list, options.exponent).map((p) => ({ plw: p.plw, score: p.mean })),
  }));
  return renderFigure([{ title: 'Mean over benchmarks', series }], {
    title: options.title ?? 'Aggregate score against PLW',
    yLabel: 'mean score',
    exponent: options.exponent,
    columns: 1,
    panelWidth: 620,
    panelHeight: 400,
  });
}
