import { useEffect, useState } from 'react';
import type { QueueSettings } from '../../src-shared/api';
import { useClient } from '../context';

/** Workspace settings: where the app runs cells (its own workers, or a BullMQ queue on Redis). */
export function SettingsView() {
  const { api } = useClient();
  const [queue, setQueue] = useState<QueueSettings | null>(null);
  // null until the user types: the saved URL (redacted) shows until then, even if it loads late.
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api['settings:queue']({}).then(
      (q) => live && setQueue(q),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const save = (url: string | null): void => {
    api['settings:set-queue']({ url }).then(
      (q) => {
        setQueue(q);
        setDraft(null);
        setError(null);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  const pending = queue !== null && queue.url !== queue.active;
  const text = draft ?? queue?.url ?? '';
  return (
    <section className="settings">
      <h1>Settings</h1>
      <h2>Where cells run</h2>
      <p className="hint">
        Empty: this machine&apos;s own workers. A Redis URL (
        <code>redis://[:PASSWORD@]HOST:PORT[/DB]</code>, or <code>rediss://</code> for TLS): sweeps
        go to that BullMQ queue, where <code>plw worker --queue URL</code> processes on any host run
        them (see the Workers page). The password is kept in this workspace and never shown.
      </p>
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          save(text.trim() === '' ? null : text.trim());
        }}
      >
        <label className="field">
          <span className="field-label">Queue URL</span>
          <input
            name="queue-url"
            value={text}
            placeholder="redis://:PASSWORD@HOST:6379"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setDraft(e.target.value)}
          />
        </label>
        <button type="submit">Save</button>
      </form>
      {error && <p className="error">{error}</p>}
      {queue && (
        <p data-testid="queue-status">
          Cells run on{' '}
          {queue.active === null ? 'this machine’s own workers' : <code>{queue.active}</code>}.
          {pending && (
            <>
              {' '}
              Saved: {queue.url === null ? 'own workers' : <code>{queue.url}</code>}, used from the
              next time the app opens this workspace.
            </>
          )}
        </p>
      )}
    </section>
  );
}
