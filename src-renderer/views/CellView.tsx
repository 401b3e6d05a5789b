import { useEffect, useMemo, useState } from 'react';
import type { MetricPoint } from '../../src-shared/api';
import { LossChart, type Curve, type SeriesKey } from '../components/LossChart';
import { StateBadge } from '../components/StateBadge';
import { useClient } from '../context';
import { formatEta, formatNumber, useLive } from '../hooks';
import { href } from '../route';
import { shortName } from '../../src-shared/names';

const LR_SERIES: SeriesKey[] = ['lr'];

/**
 * One cell (and optionally others overlaid): live loss curves — total, prompt, completion —
 * with smoothing and log scale, the learning rate, scores, logs and checkpoints.
 */
export function CellView({ id, compare }: { id: number; compare: number[] }) {
  const { api, on } = useClient();
  const ids = useMemo(() => [id, ...compare.filter((c) => c !== id)], [id, compare]);
  const detail = useLive(
    () => api['cells:get']({ id }),
    [id],
    ['cell:state', 'cell:score', 'cell:log', 'cell:progress'],
    1000,
  );
  const [metrics, setMetrics] = useState<Record<number, MetricPoint[]>>({});
  const [labels, setLabels] = useState<Record<number, string>>({});
  const [series, setSeries] = useState<SeriesKey[]>(['loss', 'promptLoss', 'completionLoss']);
  const [smoothing, setSmoothing] = useState(0);
  const [logScale, setLogScale] = useState(false);

  useEffect(() => {
    let live = true;
    void api['cells:metrics']({ ids, maxPoints: 0 }).then((m) => live && setMetrics(m));
    void Promise.all(ids.map((cid) => api['cells:get']({ id: cid }))).then(
      (ds) =>
        live &&
        setLabels(
          Object.fromEntries(
            ds.map((d) => [
              d.cell.id,
              `#${d.cell.id} PLW ${d.cell.plw} ${shortName(d.cell.dataset)}`,
            ]),
          ),
        ),
    );
    // Live points are appended as they arrive: no refetch, so the curve moves within a second.
    const off = on('cell:progress', (e) => {
      if (!ids.includes(e.cellId)) return;
      setMetrics((m) => {
        const prev = m[e.cellId] ?? [];
        const last = prev[prev.length - 1];
        // A resumed cell replays steps after its checkpoint: drop the stale tail.
        const kept =
          last && last.step >= e.point.step ? prev.filter((p) => p.step < e.point.step) : prev;
        return { ...m, [e.cellId]: [...kept, e.point] };
      });
    });
    return () => {
      live = false;
      off();
    };
  }, [api, on, ids]);

  // Stable between renders that bring no new points, so the charts skip their downsampling.
  const curves: Curve[] = useMemo(
    () =>
      ids.map((cid) => ({
        id: cid,
        label: labels[cid] ?? `#${cid}`,
        points: metrics[cid] ?? [],
      })),
    [ids, labels, metrics],
  );
  const firstCurve = useMemo(() => curves.slice(0, 1), [curves]);
  const lossSeries = useMemo(() => series.filter((s) => s !== 'lr'), [series]);
  const toggle = (s: SeriesKey): void =>
    setSeries((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  if (detail.error) return <p className="error">{detail.error}</p>;
  const d = detail.data;
  const own = metrics[id] ?? [];
  const lastPoint = own[own.length - 1];

  return (
    <section>
      <div className="page-head">
        <div>
          <h1>
            Cell #{id} {d && <StateBadge state={d.cell.state} />}
          </h1>
          {d && (
            <div className="sub">
              <a href={href({ view: 'sweep', id: d.cell.sweepId })}>sweep #{d.cell.sweepId}</a> ·
              PLW {d.cell.plw} · <span title={d.cell.model}>{shortName(d.cell.model)}</span> ·{' '}
              <span title={d.cell.dataset}>{shortName(d.cell.dataset)}</span> · step {d.cell.step}
              {d.cell.totalSteps ? ` / ${d.cell.totalSteps}` : ''}
              {d.cell.etaSeconds !== null && d.cell.state === 'running'
                ? ` · ETA ${formatEta(d.cell.etaSeconds)}`
                : ''}
              {d.cell.attempts > 1 ? ` · attempt ${d.cell.attempts}` : ''}
              {d.cell.worker !== null && (
                <>
                  {' · '}
                  <a href={href({ view: 'workers' })} data-testid="cell-worker">
                    {d.cell.state === 'running' || d.cell.state === 'evaluating'
                      ? 'running on'
                      : 'ran on'}{' '}
                    {d.cell.worker}
                  </a>
                </>
              )}
            </div>
          )}
        </div>
      </div>
      {d?.cell.error && <p className="error">{d.cell.error}</p>}
      <div className="toolbar">
        {(['loss', 'promptLoss', 'completionLoss'] as const).map((s) => (
          <label key={s} className="inline">
            <input type="checkbox" checked={series.includes(s)} onChange={() => toggle(s)} />{' '}
            {s === 'loss' ? 'total' : s === 'promptLoss' ? 'prompt' : 'completion'}
          </label>
        ))}
        <label className="inline">
          smoothing{' '}
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
            aria-label="smoothing"
          />{' '}
          {smoothing.toFixed(2)}
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={logScale}
            onChange={(e) => setLogScale(e.target.checked)}
          />{' '}
          log scale
        </label>
        <span className="message" data-testid="points">
          {own.length} steps{lastPoint ? ` · loss ${formatNumber(lastPoint.loss)}` : ''}
        </span>
      </div>
      <LossChart curves={curves} series={lossSeries} smoothing={smoothing} logScale={logScale} />
      <h2>Learning rate</h2>
      <LossChart
        curves={firstCurve}
        series={LR_SERIES}
        smoothing={0}
        logScale={false}
        height={160}
      />
      <div className="two-col">
        <div>
          <h2>Scores</h2>
          {d && d.scores.length === 0 && (
            <p className="empty">No scores yet: the cell is evaluated after training.</p>
          )}
          {d && d.scores.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th>Benchmark</th>
                  <th>Metric</th>
                  <th>Value</th>
                  <th>± stderr</th>
                </tr>
              </thead>
              <tbody>
                {d.scores.map((s) => (
                  <tr key={`${s.benchmark}:${s.metric}`}>
                    <td>{s.benchmark}</td>
                    <td>{s.metric}</td>
                    <td>{formatNumber(s.value, 4)}</td>
                    <td>{formatNumber(s.stderr, 4)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Checkpoints</h2>
          {d && d.checkpoints.length === 0 && <p className="empty">None yet.</p>}
          <ul className="plain">
            {d?.checkpoints.map((c) => (
              <li key={c.step}>
                step {c.step} <code>{c.path}</code>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h2>Log</h2>
          <pre className="log">
            {d?.logs
              .map(
                (l) => `${new Date(l.time).toLocaleTimeString()} ${l.level.padEnd(5)} ${l.message}`,
              )
              .join('\n')}
          </pre>
        </div>
      </div>
    </section>
  );
}
