import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { MetricPoint } from '../../src-shared/api';
import { lttb, smoothEma } from '../../src-shared/downsample';

export type SeriesKey = 'loss' | 'promptLoss' | 'completionLoss' | 'lr';

export interface Curve {
  id: number;
  label: string;
  points: readonly MetricPoint[];
}

export interface LossChartProps {
  curves: readonly Curve[];
  series: readonly SeriesKey[];
  smoothing: number;
  logScale: boolean;
  /** Points drawn per series at most (LTTB keeps the shape). */
  maxPoints?: number;
  height?: number;
}

const PALETTE = [
  '#0f766e',
  '#b45309',
  '#6d28d9',
  '#be123c',
  '#1d4ed8',
  '#4d7c0f',
  '#a21caf',
  '#0e7490',
];
const DASH: Record<SeriesKey, string | undefined> = {
  loss: undefined,
  promptLoss: '6 3',
  completionLoss: '2 2',
  lr: undefined,
};
const NAMES: Record<SeriesKey, string> = {
  loss: 'loss',
  promptLoss: 'prompt',
  completionLoss: 'completion',
  lr: 'learning rate',
};

/**
 * Loss curves of one or several cells: each curve's series downsampled with LTTB, then
 * smoothed, then merged on step so recharts draws one x axis.
 */
export const LossChart = memo(function LossChart({
  curves,
  series,
  smoothing,
  logScale,
  maxPoints = 800,
  height = 320,
}: LossChartProps) {
  const { rows, lines } = useMemo(() => {
    const byStep = new Map<number, Record<string, number>>();
    const lineDefs: { key: string; name: string; color: string; dash: string | undefined }[] = [];
    curves.forEach((curve, ci) => {
      for (const s of series) {
        const valid = curve.points.filter((p) => {
          const v = p[s];
          return v !== null && Number.isFinite(v) && (!logScale || v > 0);
        });
        const thin = lttb(
          valid,
          Math.min(maxPoints, valid.length),
          (p) => p.step,
          (p) => p[s] ?? 0,
        );
        const ys = smoothEma(
          thin.map((p) => p[s] ?? 0),
          s === 'lr' ? 0 : smoothing,
        );
        const key = `${curve.id}:${s}`;
        lineDefs.push({
          key,
          name: curves.length > 1 ? `${curve.label} ${NAMES[s]}` : NAMES[s],
          color: PALETTE[(curves.length > 1 ? ci : series.indexOf(s)) % PALETTE.length] as string,
          dash: curves.length > 1 ? DASH[s] : undefined,
        });
        thin.forEach((p, i) => {
          const row = byStep.get(p.step) ?? { step: p.step };
          row[key] = ys[i] as number;
          byStep.set(p.step, row);
        });
      }
    });
    return {
      rows: [...byStep.values()].sort((a, b) => (a.step ?? 0) - (b.step ?? 0)),
      lines: lineDefs,
    };
  }, [curves, series, smoothing, logScale, maxPoints]);

  return (
    <div className="chart" data-points={rows.length} data-last-step={rows.at(-1)?.step ?? 0}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={rows} margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickCount={8}
            allowDecimals={false}
          />
          <YAxis
            scale={logScale ? 'log' : 'auto'}
            domain={logScale ? ['auto', 'auto'] : [0, 'auto']}
            allowDataOverflow={false}
            tickFormatter={(v: number) =>
              Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(1) : v.toFixed(2)
            }
            width={56}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} />
          <Legend />
          {lines.map((l) => (
            <Line
              key={l.key}
              dataKey={l.key}
              name={l.name}
              stroke={l.color}
              strokeDasharray={l.dash}
              dot={false}
              isAnimationActive={false}
              connectNulls
              strokeWidth={1.6}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
});
