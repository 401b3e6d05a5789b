/**
 * Mounts one renderer component with realistic data, chosen by `?fixture=`, for the component
 * tests in Chromium (test/ui/components.test.ts). Callbacks a user would trigger are recorded
 * on `window.harness` so the test can check them.
 */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { CellSummary } from '../../../src-shared/api';
import { LossChart, type SeriesKey } from '../../../src-renderer/components/LossChart';
import { BenchmarkPanels } from '../../../src-renderer/components/BenchmarkPanels';
import { SweepGrid } from '../../../src-renderer/components/SweepGrid';
import '../../../src-renderer/styles.css';
import { analysisGroup, gridCells, lossCurve, replicateCells } from '../fixtures';

interface Harness {
  opened: number[];
  selected: number[];
}
const harness: Harness = { opened: [], selected: [] };
(window as unknown as { harness: Harness }).harness = harness;

const params = new URLSearchParams(location.search);

function GridFixture() {
  const [cells, setCells] = useState<CellSummary[]>(
    params.get('replicates') === '1' ? replicateCells : gridCells,
  );
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [colorBy, setColorBy] = useState('aggregate');
  // One progress tick for every running cell, as a burst of events would bring.
  const advance = (): void =>
    setCells((cs) =>
      cs.map((c) =>
        c.state === 'running' ? { ...c, step: Math.min(1000, c.step + 100), loss: 0.5 } : c,
      ),
    );
  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={advance}>
          advance
        </button>
        <select aria-label="colour by" value={colorBy} onChange={(e) => setColorBy(e.target.value)}>
          <option value="aggregate">aggregate</option>
          <option value="demo_mc">demo_mc</option>
          <option value="demo_gen">demo_gen</option>
        </select>
      </div>
      <SweepGrid
        cells={cells}
        colorBy={colorBy}
        selected={selected}
        onSelect={(ids) => {
          harness.selected = [...ids].sort((a, b) => a - b);
          setSelected(ids);
        }}
        onOpen={(id) => harness.opened.push(id)}
      />
    </>
  );
}

function ChartFixture() {
  const n = Number(params.get('points') ?? 10_000);
  const overlay = Number(params.get('curves') ?? 1);
  const [curves] = useState(() =>
    Array.from({ length: overlay }, (_, i) => ({
      id: i + 1,
      label: `cell ${i + 1}`,
      points: lossCurve(n, i + 1),
    })),
  );
  const [smoothing, setSmoothing] = useState(0);
  const [logScale, setLogScale] = useState(false);
  const [series, setSeries] = useState<SeriesKey[]>(
    (params.get('series')?.split(',') as SeriesKey[] | undefined) ?? [
      'loss',
      'promptLoss',
      'completionLoss',
    ],
  );
  return (
    <div style={{ width: 1000 }}>
      <div className="toolbar">
        <button type="button" onClick={() => setSmoothing((s) => (s === 0 ? 0.95 : 0))}>
          smoothing {smoothing}
        </button>
        <button type="button" onClick={() => setLogScale((l) => !l)}>
          log {String(logScale)}
        </button>
        <button type="button" onClick={() => setSeries(['lr'])}>
          lr only
        </button>
      </div>
      <LossChart curves={curves} series={series} smoothing={smoothing} logScale={logScale} />
    </div>
  );
}

const root = createRoot(document.getElementById('root')!);
root.render(
  <StrictMode>
    {params.get('fixture') === 'chart' ? (
      <ChartFixture />
    ) : params.get('fixture') === 'panels' ? (
      <div style={{ width: 1200 }}>
        <BenchmarkPanels group={analysisGroup()} />
      </div>
    ) : (
      <GridFixture />
    )}
  </StrictMode>,
);
