import { useCallback, useEffect, useState } from 'react';
import type { BenchmarkLibrary, BenchmarkStatus } from '../../src-shared/api';
import { useClient } from '../context';

/** The benchmark library (folder and tasks) with a setter for the folder; reloads on demand. */
export function useBenchmarkLibrary(): {
  library: BenchmarkLibrary | null;
  error: string | null;
  setFolder: (folder: string | null) => Promise<boolean>;
} {
  const { api } = useClient();
  const [library, setLibrary] = useState<BenchmarkLibrary | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api['benchmarks:list']({}).then(
      (l) => live && setLibrary(l),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const setFolder = useCallback(
    async (folder: string | null): Promise<boolean> => {
      try {
        setLibrary(await api['benchmarks:set-folder']({ folder }));
        setError(null);
        return true;
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
        return false;
      }
    },
    [api],
  );
  return { library, error, setFolder };
}

function Row({ task }: { task: BenchmarkStatus }) {
  const ready = task.data !== null;
  return (
    <tr data-task={task.name} data-ready={ready ? 'yes' : 'no'}>
      <td>
        <code>{task.name}</code>
        <div className="hint">{task.title}</div>
      </td>
      <td>
        <ul className="bench-files">
          {task.files.map((f) => (
            <li key={`${f.role}:${f.name}`} className={f.path ? 'found' : 'not-found'}>
              <code>{f.name}</code>
              {f.role === 'fewshot' && <span className="hint"> (few-shot)</span>}{' '}
              {f.path ? <span className="path">{f.path}</span> : <span>not found</span>}
            </li>
          ))}
        </ul>
        {task.missing && <p className="bench-missing">{task.missing}</p>}
      </td>
      <td className="num">
        {task.found === null ? '—' : task.found.toLocaleString()}
        {task.documents !== null && task.found !== task.documents && (
          <div className="hint">published: {task.documents.toLocaleString()}</div>
        )}
      </td>
      <td className="num">{task.defaultShots}</td>
      <td>{task.metrics.join(', ')}</td>
    </tr>
  );
}

/** Standard benchmarks, where their published files are, and what is missing. */
export function BenchmarksView() {
  const { library, error, setFolder } = useBenchmarkLibrary();
  const [draft, setDraft] = useState<string | null>(null);
  const folderText = draft ?? library?.folder ?? '';
  return (
    <section className="benchmarks">
      <h1>Benchmarks</h1>
      <p className="hint">
        Tasks use lm-evaluation-harness&apos;s names and few-shot contexts. Put each
        benchmark&apos;s published files in one folder (sub-folders are searched); the app never
        downloads them.
      </p>
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          void setFolder(folderText.trim() === '' ? null : folderText.trim()).then(
            (ok) => ok && setDraft(null),
          );
        }}
      >
        <label className="field">
          <span className="field-label">Benchmarks folder</span>
          <input
            name="benchmarks-folder"
            value={folderText}
            placeholder="/path/to/benchmarks"
            onChange={(e) => setDraft(e.target.value)}
          />
        </label>
        <button type="submit">Save</button>
      </form>
      {error && <p className="error">{error}</p>}
      {library && (
        <table className="table" aria-label="benchmarks">
          <thead>
            <tr>
              <th>Task</th>
              <th>Files</th>
              <th className="num">Documents</th>
              <th className="num">Shots</th>
              <th>Metrics</th>
            </tr>
          </thead>
          <tbody>
            {library.tasks.map((t) => (
              <Row key={t.name} task={t} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
