import type { CellState } from '../../src-shared/api';

export function StateBadge({ state }: { state: CellState }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}
