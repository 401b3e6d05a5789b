import { useState } from 'react';
import { useClient } from '../context';
import { formatEta, useLive } from '../hooks';
import { href, navigate } from '../route';
import { ProgressBar } from '../components/ProgressBar';
import { StateBadge } from '../components/StateBadge';
import type { CellState } from '../../src-shared/api';
import { demoPlan, formatParameters } from '../../src-shared/demo-plan';
import demoSweep from '../../resources/demo/demo-sweep.json';

/** The demo's figures, read from its sweep file and the catalogue when the renderer is built. */
const plan = demoPlan(demoSweep);
const params = formatParameters(plan.parameters);
const benchmarks = plan.benchmarks
  .map((b) => (b.limit === null ? b.task : `${b.task} (${b.limit} items)`))
  .join(' and ');
const firstLimit = plan.benchmarks.find((b) => b.limit !== null)?.limit;
const PRETRAINING =
  `(the ${params}-parameter ${plan.preset} model learns the demo tasks from scratch in ` +
  `${plan.pretrainSteps} steps). The app ships this model built and pre-trains only when the ` +
  'shipped one is missing or was made with other settings; the result is cached. The demo ' +
  'sweep starts by itself when it is done.';
const DEMO_SCOPE =
  `What the demo shows: the whole workflow on your CPU — a small byte-level model ` +
  `(${plan.preset}, ${params} parameters, pre-trained for ${plan.pretrainSteps} steps on the ` +
  `demo tasks and shipped with the app), fine-tuned at ${plan.plw.length} PLWs on ` +
  `${plan.datasets.join(' and ')} (${plan.steps} steps each), scored on ${benchmarks}: ` +
  'held-out problems asked as plain questions, and the mixed-model analysis with each ' +
  "score's interval and chance level. What it cannot show: whether PLW matters for " +
  `instruction tuning. Its cells differ by a few items` +
  `${firstLimit === undefined ? '' : ` out of ${firstLimit}`}, each fine-tune is ` +
  `${plan.steps} small steps of a ${params}-parameter model, and ` +
  (plan.seeds === 1
    ? 'one seed per cell measures no training noise'
    : `${plan.seeds} seeds per cell measure some training noise`) +
  ': read its verdict as a demonstration of the analysis, not a finding.';

/** Workspace home: every sweep with its progress, and the demo sweep one click away. */
export function HomeView() {
  const { api } = useClient();
  const sweeps = useLive(() => api['sweeps:list']({}), [], ['sweeps:changed', 'cell:state']);
  // The demo's base model pre-trains for minutes on a fresh workspace: polled while it does.
  const demo = useLive(() => api['demo:status']({}), [], ['demo:progress', 'sweeps:changed']);
  const preparing = demo.data?.state === 'preparing' ? demo.data : null;
  // Whether training can use OpenBLAS here (null: it can, or the workers use another backend).
  const info = useLive(() => api['workspace:info']({}), [], ['cell:state'], 2000);
  const blasProblem =
    info.data?.blasAddon && !/^tensorflow/.test(info.data.backend ?? '')
      ? info.data.blasAddon
      : null;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const startDemo = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const { id } = await api['sweeps:demo']({});
      navigate({ view: 'sweep', id });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Sweeps</h1>
        <div className="actions">
          <button onClick={() => void startDemo()} disabled={busy || preparing !== null}>
            {preparing !== null ? 'Preparing the demo…' : busy ? 'Starting…' : 'Run the demo sweep'}
          </button>
          <a className="button primary" href={href({ view: 'new' })}>
            New sweep
          </a>
        </div>
      </div>
      {error && <p className="error">{error}</p>}
      {blasProblem && (
        <p className="warning" data-testid="blas-missing">
          Training runs without OpenBLAS here, about half as fast: {blasProblem}.
        </p>
      )}
      {preparing && (
        <div className="panel" data-testid="demo-job">
          <strong>Demo: pre-training its base model</strong> {PRETRAINING}
          <ProgressBar
            value={
              preparing.step !== null && preparing.totalSteps
                ? preparing.step / preparing.totalSteps
                : 0
            }
          />
          <span className="sub">
            {preparing.step === null
              ? 'starting…'
              : `step ${preparing.step} of ${preparing.totalSteps ?? '?'}`}
            {preparing.etaSeconds !== null && ` · ETA ${formatEta(preparing.etaSeconds)}`}
          </span>
        </div>
      )}
      {demo.data?.state === 'failed' && (
        <p className="error">Preparing the demo failed: {demo.data.error}</p>
      )}
      {sweeps.error && <p className="error">{sweeps.error}</p>}
      {sweeps.data && sweeps.data.length === 0 && preparing === null && (
        <div className="empty">
          <p>
            No sweeps yet. Run the demo sweep to see PLW Studio at work on a tiny model, or lay out
            your own grid of PLW values × models × datasets.
          </p>
          <p className="sub" data-testid="demo-scope">
            {DEMO_SCOPE}
          </p>
        </div>
      )}
      {sweeps.data && sweeps.data.length > 0 && (
        <table className="table sweeps">
          <thead>
            <tr>
              <th>Sweep</th>
              <th>Cells</th>
              <th>States</th>
              <th style={{ width: '30%' }}>Progress</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {sweeps.data.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={href({ view: 'sweep', id: s.id })}>{s.name}</a>
                </td>
                <td>{s.cells}</td>
                <td className="states">
                  {(Object.entries(s.counts) as [CellState, number][]).map(([state, n]) => (
                    <span key={state}>
                      <StateBadge state={state} /> {n}
                    </span>
                  ))}
                </td>
                <td>
                  <ProgressBar value={s.progress} />
                  {s.etaSeconds !== null && (
                    <span className="sub eta" data-testid="sweep-eta">
                      {' '}
                      ETA {formatEta(s.etaSeconds)}
                    </span>
                  )}
                </td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
