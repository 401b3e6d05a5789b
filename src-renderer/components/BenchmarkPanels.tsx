import { memo, useMemo } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  ErrorBar,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { AnalysisGroupView } from '../../src-shared/api';
import { DEFAULT_PLW_GRID } from '../../src-shared/sweep';

const CURVE_POINTS = 60;

function quad(f: { intercept: number; w: number; w2: number }, w: number): number {
  return f.intercept + f.w * w + f.w2 * w * w;
}

/** x axis in w, ticks labelled with the PLW values they stand for (as the paper's figures). */
function plwTicks(exponent: number): { ticks: number[]; label: (w: number) => string } {
  const pairs = DEFAULT_PLW_GRID.map((p) => [p ** exponent, p] as const);
  return {
    ticks: pairs.map(([w]) => w),
    label: (w) => {
      const hit = pairs.find(([x]) => Math.abs(x - w) < 1e-9);
      return hit ? String(hit[1]) : w.toFixed(2);
    },
  };
}

function Panel({
  title,
  points,
  fit,
  exponent,
  chance = null,
}: {
  title: string;
  points: { w: number; score: number; lower?: number | null; upper?: number | null }[];
  fit: { intercept: number; w: number; w2: number } | null;
  exponent: number;
  /** Expected score of guessing: a dashed line, so scores at chance look like it. */
  chance?: number | null;
}) {
  // Recharts draws asymmetric error bars from [below, above] offsets.
  const withBars = useMemo(
    () =>
      points.map((p) => ({
        ...p,
        bar:
          p.lower != null && p.upper != null
            ? [Math.max(0, p.score - p.lower), Math.max(0, p.upper - p.score)]
            : null,
      })),
    [points],
  );
  const hasBars = withBars.some((p) => p.bar !== null);
  const curve = useMemo(
    () =>
      fit
        ? Array.from({ length: CURVE_POINTS + 1 }, (_, i) => {
            const w = i / CURVE_POINTS;
            return { w, fit: quad(fit, w) };
          })
        : [],
    [fit],
  );
  const { ticks, label } = plwTicks(exponent);
  return (
    <div
      className="panel"
      data-testid="benchmark-panel"
      data-chance={chance ?? undefined}
      data-error-bars={hasBars ? 'yes' : 'no'}
    >
      <h3>{title}</h3>
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis
            dataKey="w"
            type="number"
            domain={[0, 1]}
            ticks={ticks}
            tickFormatter={label}
            interval={0}
            angle={-40}
            textAnchor="end"
            height={46}
            fontSize={10}
          />
          <YAxis
            domain={['auto', 'auto']}
            width={48}
            tickFormatter={(v: number) => String(Number(v.toPrecision(3)))}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
          <Scatter data={withBars} dataKey="score" fill="#0f766e" isAnimationActive={false}>
            {hasBars && (
              <ErrorBar
                dataKey="bar"
                direction="y"
                width={4}
                stroke="#0f766e"
                isAnimationActive={false}
              />
            )}
          </Scatter>
          {chance !== null && (
            <ReferenceLine
              y={chance}
              stroke="#6b7280"
              strokeDasharray="5 4"
              ifOverflow="extendDomain"
              label={{
                value: `chance ${Number(chance.toPrecision(3))}`,
                position: 'insideTopRight',
                fontSize: 10,
                fill: '#6b7280',
              }}
            />
          )}
          {fit && (
            <Line
              data={curve}
              dataKey="fit"
              stroke="#b45309"
              dot={false}
              strokeWidth={1.6}
              isAnimationActive={false}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

/**
 * The paper's figures for one group: the aggregate mean, then one panel per benchmark with each
 * score's 95% interval as an error bar and the benchmark's chance level as a dashed line.
 */
export const BenchmarkPanels = memo(function BenchmarkPanels({
  group,
}: {
  group: AnalysisGroupView;
}) {
  const pooled = { intercept: group.reml.intercept, w: group.reml.w, w2: group.reml.w2 };
  return (
    <div className="panels">
      <Panel
        title="aggregate (mean of benchmarks) with the mixed-model fit"
        points={group.aggregate}
        fit={pooled}
        exponent={group.exponent}
      />
      {group.curves.map((c) => (
        <Panel
          key={c.benchmark}
          title={c.benchmark}
          points={c.points}
          fit={c.fit}
          exponent={group.exponent}
          chance={c.chance}
        />
      ))}
    </div>
  );
});
