import { useState } from 'react';
import { useClient } from '../context';
import { formatEta, useLive } from '../hooks';
import { href, navigate } from '../route';
import { ProgressBar } from '../components/ProgressBar';
import { StateBadge } from '../components/StateBadge';
import type { CellState } from '../../src-shared/api';

/** Workspace home: every sweep with its progress, and the demo sweep one click away. */
export function HomeView() {
  const { api } = useClient();
  const sweeps = useLive(() => api['sweeps:list']({}), [], ['sweeps:changed', 'cell:state']);
  // The demo's base model pre-trains for minutes on a fresh workspace: polled while it does.
  const demo = useLive(() => api['demo:status']({}), [], ['demo:progress', 'sweeps:changed']);
  const preparing = demo.data?.state === 'preparing' ? demo.data : null;
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
      {preparing && (
        <div className="panel" data-testid="demo-job">
          <strong>Demo: pre-training its base model</strong> (a small model learns the demo tasks
          from scratch, about six minutes on two cores; cached, so this happens once per workspace).
          The demo sweep starts by itself when it is done.
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
            What the demo shows: the whole workflow on your CPU — a small byte-level model
            pre-trained for about six minutes on the demo tasks, fine-tuned at five PLWs on a long-
            and a short-completion dataset, scored on two held-out benchmarks asked as plain
            questions (items it never saw), and the mixed-model analysis with each score&apos;s
            interval and chance level. What it cannot show: whether PLW matters for instruction
            tuning. Its cells differ by a few items out of 240, each fine-tune is 30 small steps of
            a 0.77M-parameter model, and one seed per cell measures no training noise: read its
            verdict as a demonstration of the analysis, not a finding.
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
