import { useState } from 'react';
import type { AnalysisBenchmarkState, AnalysisSummary } from '../../src-shared/api';
import { useClient } from '../context';
import { formatNumber, useLive } from '../hooks';
import { href } from '../route';
import { ExportPanel } from '../components/ExportPanel';
import { BenchmarkPanels } from '../components/BenchmarkPanels';

function pText(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/**
 * The verdict per dataset: does PLW matter (Kenward–Roger F-test of the mixed model, the
 * likelihood-ratio test beside it; the exact F-test when one benchmark is informative), which
 * PLW is best (with its bootstrap interval), and the per-benchmark curves behind it.
 */
export function AnalysisView({ sweepId }: { sweepId: number }) {
  const { api } = useClient();
  const [splitModels, setSplitModels] = useState(false);
  const [zscore, setZscore] = useState(false);
  // The user's include/exclude choices per benchmark; the rest follow the default (constant
  // benchmarks and ones at chance in every cell excluded). Changing one re-fits.
  const [overrides, setOverrides] = useState<Record<string, boolean>>({});
  const overridesKey = JSON.stringify(overrides);
  const analysis = useLive(
    () => api['analysis:get']({ sweepId, splitModels, zscore, benchmarks: overrides }),
    [sweepId, splitModels, zscore, overridesKey],
    ['cell:score'],
    2000,
  );
  const toggle = (state: AnalysisBenchmarkState) =>
    setOverrides((o) => ({ ...o, [state.benchmark]: state.excluded }));

  return (
    <section>
      <div className="page-head">
        <div>
          <h1>Analysis</h1>
          <div className="sub">
            <a href={href({ view: 'sweep', id: sweepId })}>sweep #{sweepId}</a> · score ~ w + w² +
            (1 | benchmark), w = PLW<sup>0.30103</sup>
          </div>
        </div>
      </div>
      <div className="toolbar">
        <label className="inline">
          <input
            type="radio"
            name="pool"
            checked={!splitModels}
            onChange={() => setSplitModels(false)}
          />{' '}
          pooled over models
        </label>
        <label className="inline">
          <input
            type="radio"
            name="pool"
            checked={splitModels}
            onChange={() => setSplitModels(true)}
          />{' '}
          one fit per model
        </label>
        <label className="inline">
          <input type="checkbox" checked={zscore} onChange={(e) => setZscore(e.target.checked)} />{' '}
          z-score benchmarks before pooling
        </label>
      </div>
      {analysis.error && <p className="error">{analysis.error}</p>}
      {analysis.data && analysis.data.groups.length === 0 && (
        <p className="empty">
          No group can be fitted yet: the analysis needs scores on at least one informative
          benchmark and three PLW values per dataset.{' '}
          {analysis.data.skipped.map((s) => s.reason).join(' ')}
        </p>
      )}
      {analysis.data?.skipped.map((s) => (
        <div className="panel group" key={s.label} data-testid="skipped-group">
          <h2>{s.label}</h2>
          <p className="verdict">not fitted: {s.reason}</p>
          <Notes notes={s.notes} />
          <BenchmarkToggles states={s.benchmarkStates} onToggle={toggle} />
        </div>
      ))}
      {analysis.data?.groups.map((g) => (
        <GroupPanel key={g.label} group={g} onToggle={toggle} />
      ))}
      {analysis.data && <ExportPanel sweepId={sweepId} />}
    </section>
  );
}

/** What the data cannot say, next to the verdict ("demo_mc: at chance (0.25) in every cell"). */
function Notes({ notes }: { notes: string[] }) {
  if (notes.length === 0) return null;
  return (
    <ul className="plain notes" data-testid="analysis-notes">
      {notes.map((n) => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

/** One click per benchmark to leave it out of the fit or bring it back; each change re-fits. */
function BenchmarkToggles({
  states,
  onToggle,
}: {
  states: AnalysisBenchmarkState[];
  onToggle: (s: AnalysisBenchmarkState) => void;
}) {
  return (
    <div className="toolbar" data-testid="benchmark-toggles">
      <span className="sub">fit on:</span>
      {states.map((s) => (
        <label className="inline" key={s.benchmark}>
          <input type="checkbox" checked={!s.excluded} onChange={() => onToggle(s)} /> {s.benchmark}
          {s.flag === 'constant'
            ? ' (constant)'
            : s.flag === 'at_chance'
              ? ' (at chance)'
              : s.flag === 'below_chance'
                ? ' (below chance)'
                : ''}
        </label>
      ))}
    </div>
  );
}

function GroupPanel({
  group,
  onToggle,
}: {
  group: AnalysisSummary['groups'][number];
  onToggle: (s: AnalysisBenchmarkState) => void;
}) {
  const r = group.reml;
  return (
    <div className="panel group">
      <h2>{group.label}</h2>
      <p className="verdict" data-testid="verdict">
        {group.verdict}
      </p>
      <Notes notes={group.notes} />
      {group.power && (
        <p className="sub" data-testid="power-note">
          {group.power}
        </p>
      )}
      <BenchmarkToggles states={group.benchmarkStates} onToggle={onToggle} />
      <table className="table coef" data-testid="coef-table">
        <thead>
          <tr>
            <th>term</th>
            <th className="num">estimate</th>
            <th className="num">std. error</th>
            <th className="num">t</th>
          </tr>
        </thead>
        <tbody>
          {(['intercept', 'w', 'w2'] as const).map((k) => (
            <tr key={k}>
              <td>{k === 'w2' ? 'w²' : k}</td>
              <td className="num">{formatNumber(r[k], 4)}</td>
              <td className="num">{formatNumber(r.se[k], 4)}</td>
              <td className="num">{formatNumber(r[k] / r.se[k], 2)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid="kr-test">
            <td>{group.method === 'ols' ? 'F-test (verdict)' : 'Kenward–Roger F (verdict)'}</td>
            <td className="num" colSpan={3}>
              F({group.kr.ndf}, {formatNumber(group.kr.ddf, 3)}) = {formatNumber(group.kr.F, 4)}, p
              = {pText(group.kr.p)}
            </td>
          </tr>
          <tr data-testid="lrt-test">
            <td>likelihood ratio</td>
            <td className="num" colSpan={3}>
              χ²(2) = {formatNumber(group.lrt.chisq, 4)}, p = {pText(group.lrt.p)}
            </td>
          </tr>
        </tfoot>
      </table>
      <p className="sub">
        n = {group.n} scores on {group.benchmarks}{' '}
        {group.method === 'ols' ? 'benchmark (least squares: score ~ w + w²)' : 'benchmarks'} ·
        σ²(benchmark) = {formatNumber(r.sigma2Benchmark, 4)}, σ²(residual) ={' '}
        {formatNumber(r.sigma2Residual, 4)} · best PLW{' '}
        {group.lambda === null
          ? `— (${group.lambdaReason ?? 'no interior maximum'})`
          : `≈ ${formatNumber(group.lambda, 4)}${
              group.lambdaInterval
                ? ` [${formatNumber(group.lambdaInterval[0], 4)}, ${formatNumber(group.lambdaInterval[1], 4)}]`
                : ''
            }`}
      </p>
      <BenchmarkPanels group={group} />
    </div>
  );
}
