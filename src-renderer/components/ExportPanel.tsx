import { useState } from 'react';
import { useClient } from '../context';

type What = 'results' | 'analysis' | 'figure-benchmarks' | 'figure-aggregate';
type Format = 'csv' | 'md' | 'tex' | 'json' | 'svg';

const FORMATS: Record<What, Format[]> = {
  results: ['csv', 'md', 'tex', 'json'],
  analysis: ['csv', 'md', 'tex', 'json'],
  'figure-benchmarks': ['svg'],
  'figure-aggregate': ['svg'],
};

/** Export dialog: every table format and the SVG figures, downloaded as files. */
export function ExportPanel({ sweepId }: { sweepId: number }) {
  const { api } = useClient();
  const [what, setWhat] = useState<What>('results');
  const [format, setFormat] = useState<Format>('csv');
  const [status, setStatus] = useState<string | null>(null);

  const run = async (): Promise<void> => {
    setStatus('Exporting…');
    try {
      const file = await api['export:build']({ sweepId, what, format });
      const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus(`Saved ${file.filename}`);
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="panel export">
      <h2>Export</h2>
      <div className="toolbar">
        <select
          aria-label="what to export"
          value={what}
          onChange={(e) => {
            const w = e.target.value as What;
            setWhat(w);
            if (!FORMATS[w].includes(format)) setFormat(FORMATS[w][0] as Format);
          }}
        >
          <option value="results">results table</option>
          <option value="analysis">analysis table</option>
          <option value="figure-benchmarks">figure: score vs w per benchmark</option>
          <option value="figure-aggregate">figure: aggregate</option>
        </select>
        <select
          aria-label="format"
          value={format}
          onChange={(e) => setFormat(e.target.value as Format)}
        >
          {FORMATS[what].map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <button className="primary" onClick={() => void run()}>
          Export
        </button>
        {status && <span className="message">{status}</span>}
      </div>
    </div>
  );
}
