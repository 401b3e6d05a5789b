import { useEffect, useState } from 'react';
import type { WorkerSummary } from '../../src-shared/api';
import { useClient } from '../context';
import { formatEta } from '../hooks';
import { href } from '../route';

/** How often the list is read again: workers say hello and go without a pushed event. */
const REFRESH_MS = 2000;

function heardAgo(lastSeen: number, now: number): string {
  const s = Math.max(0, (now - lastSeen) / 1000);
  return s < 5 ? 'just now' : `${formatEta(s)} ago`;
}

function backendTitle(w: WorkerSummary): string {
  return [w.backendReason, ...w.skipped.map((s) => `${s.name} skipped: ${s.why}`)].join('\n');
}

/** Workers that said hello: the app's own and `plw worker`s on a queue, with what they run. */
export function WorkersView() {
  const { api } = useClient();
  const [workers, setWorkers] = useState<WorkerSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let live = true;
    const load = (): void => {
      api['workers:list']({}).then(
        (w) => {
          if (!live) return;
          setWorkers(w);
          setNow(Date.now());
          setError(null);
        },
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api]);

  return (
    <section className="workers">
      <h1>Workers</h1>
      <p className="hint">
        Every worker that has said hello to this workspace: the app&apos;s own (<code>local</code>)
        and <code>plw worker --queue URL</code> processes on other hosts, with the backend each runs
        on. Hover a backend for why it was chosen.
      </p>
      {error && <p className="error">{error}</p>}
      {workers && workers.length === 0 && (
        <p className="empty">
          No worker has said hello yet: run a sweep, or start <code>plw worker --queue URL</code> on
          a host and send a sweep to that queue.
        </p>
      )}
      {workers && workers.length > 0 && (
        <table className="table" aria-label="workers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Host</th>
              <th scope="col">Backend</th>
              <th scope="col">Current cell</th>
              <th scope="col">Last heard from</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.name} data-worker={w.name}>
                <td>
                  {w.name}
                  {w.connected === false && <span className="hint"> (gone)</span>}
                </td>
                <td>
                  {w.host} <span className="hint">pid {w.pid}</span>
                  <div className="hint" data-testid="commands">
                    {w.allowCommands
                      ? 'runs trainer/evaluator commands'
                      : 'refuses trainer/evaluator commands (no --allow-commands)'}
                  </div>
                </td>
                <td title={backendTitle(w)} data-testid="backend">
                  {w.backend}
                  {w.threads !== null && (
                    <span className="hint">
                      {' '}
                      · {w.threads} thread{w.threads === 1 ? '' : 's'}
                    </span>
                  )}
                  {w.blas !== null && (
                    <span className="hint">
                      {' '}
                      · OpenBLAS {w.blas.coreType}, {w.blas.threads} thread
                      {w.blas.threads === 1 ? '' : 's'}
                    </span>
                  )}
                  {w.gpu !== null && <span className="hint"> · {w.gpu}</span>}
                </td>
                <td data-testid="cells">
                  {w.cells.length === 0
                    ? '–'
                    : w.cells.map((c, i) => (
                        <span key={c.id}>
                          {i > 0 && ', '}
                          <a href={href({ view: 'cell', id: c.id, compare: [] })}>#{c.id}</a>
                        </span>
                      ))}
                </td>
                <td title={new Date(w.lastSeen).toLocaleString()}>{heardAgo(w.lastSeen, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
