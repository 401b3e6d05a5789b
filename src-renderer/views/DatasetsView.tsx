import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DatasetEntry, DatasetPreview } from '../../src-shared/api';
import {
  ratioKind,
  savedTokenizer,
  saveTokenizer,
  useDatasetStats,
} from '../components/DatasetStats';
import { useClient } from '../context';
import { useLive } from '../hooks';

const PAGE = 10;

function bytesText(n: number | null): string {
  if (n === null) return 'missing';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

const meanStd = (m: { mean: number; std: number }): string =>
  `${m.mean.toFixed(1)} ± ${m.std.toFixed(1)}`;

function StatsCells({
  source,
  tokenizer,
  version,
}: {
  source: string;
  tokenizer: string;
  version: number;
}) {
  const { result, error, loading } = useDatasetStats(source, tokenizer, version);
  if (error) {
    return (
      <td colSpan={6} className="ds-error">
        {error}
      </td>
    );
  }
  if (!result) {
    return (
      <td colSpan={6} className="loading">
        {loading ? 'counting tokens…' : ''}
      </td>
    );
  }
  const s = result.stats;
  return (
    <>
      <td className="num">{s.count.toLocaleString()}</td>
      <td className="num">{meanStd(s.instruction)}</td>
      <td className="num">{meanStd(s.input)}</td>
      <td className="num">{meanStd(s.completion)}</td>
      <td className="num">{s.totalTokens.toLocaleString()}</td>
      <td className="num" title={ratioKind(s.completionPromptRatio)}>
        {s.completionPromptRatio === null ? '—' : s.completionPromptRatio.toFixed(3)}{' '}
        <span
          className={`ratio-kind ${s.completionPromptRatio !== null && s.completionPromptRatio < 1 ? 'short' : 'long'}`}
        >
          {ratioKind(s.completionPromptRatio)}
        </span>
      </td>
    </>
  );
}

/** Records as the model is trained on them: the prompt region, then the completion. */
function Preview({ source }: { source: string }) {
  const { api } = useClient();
  const [offset, setOffset] = useState(0);
  const [loaded, setLoaded] = useState<{
    offset: number;
    page: DatasetPreview | null;
    error: string | null;
  }>({ offset: -1, page: null, error: null });
  useEffect(() => {
    let live = true;
    api['datasets:preview']({ source, offset, limit: PAGE }).then(
      (p) => live && setLoaded({ offset, page: p, error: null }),
      (e: unknown) =>
        live &&
        setLoaded({ offset, page: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, source, offset]);
  const { page } = loaded;
  const error = loaded.offset === offset ? loaded.error : null;

  if (error) return <p className="error">{error}</p>;
  if (!page) return <p className="loading">reading records…</p>;
  return (
    <div className="preview" aria-label="record preview">
      <div className="toolbar">
        <span className="legend">
          <span className="seg-prompt">prompt</span> weighted by the PLW ·{' '}
          <span className="seg-completion">completion</span> weight 1
        </span>
        <span className="message">
          records {page.offset + 1}–{page.offset + page.records.length}
        </span>
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => setOffset((o) => Math.max(0, o - PAGE))}
        >
          ← Previous
        </button>
        <button type="button" disabled={!page.more} onClick={() => setOffset((o) => o + PAGE)}>
          Next →
        </button>
      </div>
      {page.records.length === 0 && <p className="empty">No records.</p>}
      {page.records.map((r) => (
        <article key={r.index} className="record">
          <header>#{r.index}</header>
          <pre className="record-text">
            <span className="seg-prompt" title="prompt region: its loss is weighted by the PLW">
              {r.prompt}
            </span>
            <span className="seg-completion" title="completion: weight 1">
              {r.output}
            </span>
          </pre>
        </article>
      ))}
    </div>
  );
}

/**
 * The workspace's datasets: the statistics of docs/METHOD.md "Dataset statistics" with the chosen tokenizer, a preview of the
 * records with the prompt region highlighted, and the short-completion copy.
 */
export function DatasetsView() {
  const { api } = useClient();
  const [version, setVersion] = useState(0);
  const list = useLive(() => api['datasets:list']({}), [version], ['sweeps:changed']);
  const [tokenizer, setTokenizer] = useState(savedTokenizer);
  const [tokenizerDraft, setTokenizerDraft] = useState(tokenizer);
  const [selected, setSelected] = useState<string | null>(null);
  const [recount, setRecount] = useState<Record<string, number>>({});
  const [addPath, setAddPath] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);

  const datasets: DatasetEntry[] = list.data ?? [];
  const current = datasets.find((d) => d.source === selected) ?? null;

  const run = async (what: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await what());
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const add = (): Promise<void> =>
    run(async () => {
      const d = await api['datasets:add']({ path: addPath });
      setAddPath('');
      setSelected(d.source);
      return `added ${d.name}`;
    });

  const makeShort = (d: DatasetEntry): Promise<void> => {
    if (
      !window.confirm(
        `Write the short-completion copy of ${d.name}?\n\nRecords whose completion is longer than ` +
          `their prompt (counted with the "${tokenizer}" tokenizer) become "predict the prompt" ` +
          'records. A new file is written next to the original; the original is not changed.',
      )
    ) {
      return Promise.resolve();
    }
    return run(async () => {
      const r = await api['datasets:make-short']({ source: d.source, tokenizer });
      setSelected(r.dataset.source);
      return `wrote ${r.dataset.path}: ${r.transformed} of ${r.records} records transformed`;
    });
  };

  const remove = (d: DatasetEntry): Promise<void> => {
    if (!window.confirm(`Remove ${d.name} from this list? The file itself is kept.`)) {
      return Promise.resolve();
    }
    return run(async () => {
      await api['datasets:remove']({ source: d.source });
      if (selected === d.source) setSelected(null);
      return `removed ${d.name} from the list`;
    });
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, i: number): void => {
    const next = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : -1;
    if (next >= 0 && next < datasets.length) {
      e.preventDefault();
      rows.current[next]?.focus();
      setSelected(datasets[next]!.source);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      setSelected(datasets[i]!.source);
    }
  };

  return (
    <section className="datasets">
      <div className="page-head">
        <h1>Datasets</h1>
        <form
          className="actions"
          onSubmit={(e) => {
            e.preventDefault();
            const spec = tokenizerDraft.trim() || 'byte';
            saveTokenizer(spec);
            setTokenizer(spec);
          }}
        >
          <label className="inline">
            Tokenizer
            <input
              name="tokenizer"
              value={tokenizerDraft}
              onChange={(e) => setTokenizerDraft(e.target.value)}
              title='"byte", a tokenizer.json / tokenizer.model file, or a model folder'
              size={28}
            />
          </label>
          <button type="submit" disabled={tokenizerDraft.trim() === tokenizer}>
            Count with it
          </button>
        </form>
      </div>
      <p className="sub">
        How tokens are counted: the instruction, the input and the output of each record are
        tokenized on their own with the tokenizer above, without the prompt template and without
        BOS/EOS tokens (an empty input counts 0). The table gives the mean and standard deviation
        over records of each count; total tokens is the sum of all three over all records. The
        completion/prompt ratio is mean output tokens / mean (instruction + input) tokens: above 1 a
        dataset is long-completion, below 1 short-completion.
      </p>
      <form
        className="actions add-dataset"
        onSubmit={(e) => {
          e.preventDefault();
          if (addPath.trim()) void add();
        }}
      >
        <input
          name="add-path"
          placeholder="path to a JSON or JSONL dataset"
          value={addPath}
          onChange={(e) => setAddPath(e.target.value)}
          size={60}
        />
        <button type="submit" disabled={busy || addPath.trim() === ''}>
          Add dataset
        </button>
      </form>
      {message && <p className="notice">{message}</p>}
      {error && <p className="error">{error}</p>}
      {list.error && <p className="error">{list.error}</p>}
      <table className="table datasets-table" aria-label="datasets">
        <thead>
          <tr>
            <th>Dataset</th>
            <th className="num">Records</th>
            <th className="num">Instruction</th>
            <th className="num">Input</th>
            <th className="num">Completion</th>
            <th className="num">Total tokens</th>
            <th className="num">C/P ratio</th>
            <th className="num">Size</th>
            <th className="num">Sweeps</th>
          </tr>
        </thead>
        <tbody>
          {datasets.map((d, i) => (
            <tr
              key={d.source}
              ref={(el) => {
                rows.current[i] = el;
              }}
              tabIndex={0}
              aria-selected={d.source === selected}
              className={d.source === selected ? 'selected' : ''}
              onClick={() => setSelected(d.source)}
              onKeyDown={(e) => onRowKey(e, i)}
            >
              <td>
                <b>{d.name}</b>
                {d.builtin && <span className="tag">built-in</span>}
                <div className="muted path">{d.path}</div>
              </td>
              {d.sizeBytes === null ? (
                <td colSpan={6} className="ds-error">
                  file not found
                </td>
              ) : (
                <StatsCells
                  source={d.source}
                  tokenizer={tokenizer}
                  version={recount[d.source] ?? 0}
                />
              )}
              <td className="num">{bytesText(d.sizeBytes)}</td>
              <td className="num">{d.sweeps}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {current && (
        <div className="dataset-detail">
          <div className="page-head">
            <h2>{current.name}</h2>
            <div className="actions">
              <button
                type="button"
                onClick={() =>
                  setRecount((r) => ({ ...r, [current.source]: (r[current.source] ?? 0) + 1 }))
                }
              >
                Recount
              </button>
              <button type="button" disabled={busy} onClick={() => void makeShort(current)}>
                Make short copy…
              </button>
              {current.registered && (
                <button type="button" className="danger" onClick={() => void remove(current)}>
                  Remove from list…
                </button>
              )}
            </div>
          </div>
          <Preview key={current.source} source={current.source} />
        </div>
      )}
      {!current && datasets.length > 0 && (
        <p className="empty">Select a dataset to preview its records.</p>
      )}
    </section>
  );
}
