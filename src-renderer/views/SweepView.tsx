import { useMemo, useState } from 'react';
import type { CellSummary } from '../../src-shared/api';
import { SweepGrid } from '../components/SweepGrid';
import { useClient } from '../context';
import { formatEta, useLive } from '../hooks';
import { href, navigate } from '../route';
import { ProgressBar } from '../components/ProgressBar';

type Action = 'cancel' | 'retry' | 'pause' | 'resume';

/** One sweep: the grid of cells, live, with per-cell actions on the selection. */
export function SweepView({ id }: { id: number }) {
  const { api } = useClient();
  const sweep = useLive(
    () => api['sweeps:get']({ id }),
    [id],
    ['cell:progress', 'cell:state', 'cell:score', 'sweeps:changed'],
    300,
  );
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [colorBy, setColorBy] = useState<string>('aggregate');
  const [message, setMessage] = useState<string | null>(null);
  const cells: CellSummary[] = useMemo(() => sweep.data?.cellList ?? [], [sweep.data]);

  const act = async (action: Action): Promise<void> => {
    const ids = [...selected];
    if (ids.length === 0) return;
    if (
      action === 'cancel' &&
      !window.confirm(
        `Cancel ${ids.length} cell(s)? Their progress is kept and they can be retried.`,
      )
    ) {
      return;
    }
    try {
      const { changed } = await api['cells:action']({ ids, action });
      setMessage(`${action}: ${changed} of ${ids.length} cell(s) changed`);
      sweep.reload();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };

  if (sweep.error) return <p className="error">{sweep.error}</p>;
  if (!sweep.data) return <p className="loading">Loading…</p>;
  const s = sweep.data;

  return (
    <section>
      <div className="page-head">
        <div>
          <h1>{s.name}</h1>
          <div className="sub">
            {s.cells} cells ·{' '}
            {Object.entries(s.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(' · ')}
          </div>
        </div>
        <div className="actions">
          <a className="button" href={href({ view: 'analysis', id })}>
            Analysis
          </a>
        </div>
      </div>
      <ProgressBar value={s.progress} />
      {s.etaSeconds !== null && (
        <p className="sub eta" data-testid="sweep-eta">
          training ETA {formatEta(s.etaSeconds)} (at the running cells&apos; pace; evaluation not
          included)
        </p>
      )}
      <div className="toolbar" role="toolbar" aria-label="cell actions">
        <span>{selected.size} selected</span>
        <button disabled={selected.size === 0} onClick={() => void act('pause')}>
          Pause
        </button>
        <button disabled={selected.size === 0} onClick={() => void act('resume')}>
          Resume
        </button>
        <button disabled={selected.size === 0} onClick={() => void act('retry')}>
          Retry
        </button>
        <button
          disabled={selected.size === 0}
          className="danger"
          onClick={() => void act('cancel')}
        >
          Cancel
        </button>
        <button
          disabled={selected.size === 0}
          onClick={() => {
            const [first, ...rest] = [...selected];
            if (first !== undefined) navigate({ view: 'cell', id: first, compare: rest });
          }}
        >
          Compare curves
        </button>
        <label className="inline">
          Colour by{' '}
          <select value={colorBy} onChange={(e) => setColorBy(e.target.value)}>
            <option value="aggregate">mean of benchmarks</option>
            {s.benchmarks.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        {message && <span className="message">{message}</span>}
      </div>
      <SweepGrid
        cells={cells}
        colorBy={colorBy}
        selected={selected}
        onSelect={setSelected}
        onOpen={(cellId) => navigate({ view: 'cell', id: cellId, compare: [] })}
      />
    </section>
  );
}
