import { useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { CellSummary } from '../../src-shared/api';
import { meanSd } from '../../src-shared/analysis/replicates';
import { cellProgress } from '../../src-shared/progress';
import { shortName } from '../../src-shared/names';
import { formatEta, formatNumber } from '../hooks';
import { StateBadge } from './StateBadge';

export interface SweepGridProps {
  cells: readonly CellSummary[];
  /** `aggregate` (mean over benchmarks) or a benchmark name. */
  colorBy: string;
  selected: ReadonlySet<number>;
  onSelect: (ids: ReadonlySet<number>) => void;
  onOpen: (id: number) => void;
}

function cellScore(cell: CellSummary, colorBy: string): number | null {
  const values = Object.entries(cell.scores);
  if (colorBy !== 'aggregate') return cell.scores[colorBy] ?? null;
  if (values.length === 0) return null;
  return values.reduce((s, [, v]) => s + v, 0) / values.length;
}

/** White → teal; the scale spans the scores on screen so differences stay visible. */
function scoreColor(value: number, min: number, max: number): string {
  const t = max > min ? (value - min) / (max - min) : 0.5;
  return `hsl(174 ${Math.round(30 + 40 * t)}% ${Math.round(94 - 44 * t)}%)`;
}

/** The replicate rows of one model × dataset, in seed order. */
interface RowGroup {
  model: string;
  dataset: string;
  rows: { key: string; seed: number | null }[];
}

/**
 * Rows = model × dataset (one per seed when the sweep has replicates, then a "mean ± sd" row),
 * columns = PLW. Click selects, Ctrl/⌘-click toggles, Shift-click selects a range; arrow keys
 * move, Space toggles, Enter opens the cell.
 */
export function SweepGrid({ cells, colorBy, selected, onSelect, onOpen }: SweepGridProps) {
  const { rows, groups, plws, byKey } = useMemo(() => {
    const groupMap = new Map<string, RowGroup>();
    const plwSet = new Set<number>();
    const map = new Map<string, CellSummary>();
    for (const c of cells) {
      const base = `${c.model}\u0000${c.dataset}`;
      const row = `${base}\u0000${c.seed ?? ''}`;
      const g = groupMap.get(base) ?? { model: c.model, dataset: c.dataset, rows: [] };
      if (!g.rows.some((r) => r.key === row)) g.rows.push({ key: row, seed: c.seed });
      groupMap.set(base, g);
      plwSet.add(c.plw);
      map.set(`${row}\u0000${c.plw}`, c);
    }
    const grouped = [...groupMap.values()].map((g) => ({
      ...g,
      rows: [...g.rows].sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0)),
    }));
    return {
      groups: grouped,
      rows: grouped.flatMap((g) => g.rows.map((r) => r.key)),
      plws: [...plwSet].sort((a, b) => a - b),
      byKey: map,
    };
  }, [cells]);

  const [focus, setFocus] = useState<[number, number]>([0, 0]);
  const anchor = useRef<number | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);

  const scores = cells.map((c) => cellScore(c, colorBy)).filter((v): v is number => v !== null);
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  const order = rows
    .flatMap((r) => plws.map((p) => byKey.get(`${r}\u0000${p}`)?.id))
    .filter((id): id is number => id !== undefined);

  const click = (e: MouseEvent, id: number): void => {
    if (e.shiftKey && anchor.current !== null) {
      const a = order.indexOf(anchor.current);
      const b = order.indexOf(id);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      onSelect(new Set(order.slice(lo, hi + 1)));
      return;
    }
    anchor.current = id;
    if (e.ctrlKey || e.metaKey) {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      onSelect(next);
    } else {
      onSelect(new Set([id]));
    }
  };

  const moveFocus = (r: number, c: number): void => {
    const nr = Math.max(0, Math.min(rows.length - 1, r));
    const nc = Math.max(0, Math.min(plws.length - 1, c));
    setFocus([nr, nc]);
    tableRef.current?.querySelector<HTMLElement>(`[data-pos="${nr}-${nc}"]`)?.focus();
  };

  const key = (e: KeyboardEvent, id: number | undefined): void => {
    const [r, c] = focus;
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
    };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      moveFocus(m[0], m[1]);
    } else if (e.key === ' ' && id !== undefined) {
      e.preventDefault();
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      onSelect(next);
    } else if (e.key === 'Enter' && id !== undefined) {
      onOpen(id);
    } else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSelect(new Set(order));
    } else if (e.key === 'Escape') {
      onSelect(new Set());
    }
  };

  return (
    <table className="grid" ref={tableRef} role="grid" aria-label="sweep cells">
      <thead>
        <tr>
          <th>model · dataset</th>
          {plws.map((p) => (
            <th key={p} scope="col">
              PLW {p}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {groups.flatMap((group) => {
          const { model, dataset } = group;
          const rowsOfGroup = group.rows.map(({ key: row, seed }) => {
            const ri = rows.indexOf(row);
            return (
              <tr key={row}>
                <th scope="row">
                  <div className="row-model" title={model}>
                    {shortName(model)}
                  </div>
                  <div className="row-dataset" title={dataset}>
                    {shortName(dataset)}
                    {seed !== null && <span className="row-seed"> · seed {seed}</span>}
                  </div>
                </th>
                {plws.map((p, ci) => {
                  const c = byKey.get(`${row}\u0000${p}`);
                  const score = c ? cellScore(c, colorBy) : null;
                  const isFocus = focus[0] === ri && focus[1] === ci;
                  const progress = c ? cellProgress(c) : 0;
                  return (
                    <td
                      key={p}
                      role="gridcell"
                      data-pos={`${ri}-${ci}`}
                      data-cell-id={c?.id}
                      data-state={c?.state}
                      data-step={c?.step}
                      data-worker={c?.worker ?? undefined}
                      tabIndex={isFocus ? 0 : -1}
                      aria-selected={c ? selected.has(c.id) : false}
                      className={`gcell ${c && selected.has(c.id) ? 'selected' : ''}`}
                      style={
                        score !== null ? { background: scoreColor(score, min, max) } : undefined
                      }
                      onClick={(e) => {
                        setFocus([ri, ci]);
                        if (c) click(e, c.id);
                      }}
                      onDoubleClick={() => c && onOpen(c.id)}
                      onKeyDown={(e) => key(e, c?.id)}
                    >
                      {c ? (
                        <>
                          <StateBadge state={c.state} />
                          <div className="mini-progress">
                            <div style={{ width: `${progress * 100}%` }} />
                          </div>
                          <div className="gcell-line">
                            loss {formatNumber(c.loss)}
                            {c.state === 'running' && c.etaSeconds !== null && (
                              <span className="eta"> · {formatEta(c.etaSeconds)}</span>
                            )}
                          </div>
                          <div className="gcell-line score">
                            {score !== null ? formatNumber(score) : ''}
                          </div>
                          {c.worker !== null && (
                            <div className="gcell-line worker" title={`worker ${c.worker}`}>
                              on {c.worker}
                            </div>
                          )}
                          {c.error && (
                            <div className="gcell-error" title={c.error}>
                              error
                            </div>
                          )}
                        </>
                      ) : (
                        <span className="empty">–</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          });
          if (group.rows.length < 2) return rowsOfGroup;
          // Replicates: the mean ± sd over seeds of each PLW's done scores.
          return [
            ...rowsOfGroup,
            <tr key={`${model}\u0000${dataset}\u0000summary`} className="replicate-summary">
              <th scope="row">
                <div className="row-dataset">mean ± sd over {group.rows.length} seeds</div>
              </th>
              {plws.map((p) => {
                const values = group.rows
                  .map(({ key: row }) => byKey.get(`${row}\u0000${p}`))
                  .map((c) => (c ? cellScore(c, colorBy) : null))
                  .filter((v): v is number => v !== null);
                const m = values.length > 0 ? meanSd(values) : null;
                return (
                  <td key={p} className="gcell summary" data-replicates={m?.n ?? 0}>
                    {m ? `${formatNumber(m.mean)} ± ${formatNumber(m.sd, 2)}` : '–'}
                  </td>
                );
              })}
            </tr>,
          ];
        })}
      </tbody>
    </table>
  );
}
