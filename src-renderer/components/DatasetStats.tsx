import { useEffect, useState } from 'react';
import type { DatasetStatsResult } from '../../src-shared/api';
import { useClient } from '../context';

/** The tokenizer spec dataset statistics are counted with; kept across reloads. */
const TOKENIZER_KEY = 'plw.datasets.tokenizer';

export function savedTokenizer(): string {
  try {
    return localStorage.getItem(TOKENIZER_KEY) || 'byte';
  } catch {
    return 'byte';
  }
}

export function saveTokenizer(spec: string): void {
  try {
    localStorage.setItem(TOKENIZER_KEY, spec);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}

export interface StatsState {
  result: DatasetStatsResult | null;
  error: string | null;
  loading: boolean;
}

/**
 * Statistics of one dataset (a worker counts them; the workspace caches them until the file
 * changes). `version` forces a recount when it changes.
 */
export function useDatasetStats(source: string | null, tokenizer: string, version = 0): StatsState {
  const { api } = useClient();
  const key = `${source}\0${tokenizer}\0${version}`;
  const [state, setState] = useState<{
    key: string;
    result: DatasetStatsResult | null;
    error: string | null;
  }>({ key: '', result: null, error: null });
  useEffect(() => {
    if (!source) return;
    let live = true;
    api['datasets:stats']({ source, tokenizer, refresh: version > 0 }).then(
      (result) => live && setState({ key, result, error: null }),
      (e: unknown) =>
        live && setState({ key, result: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, key, source, tokenizer, version]);
  if (!source) return { result: null, error: null, loading: false };
  const current = state.key === key;
  return {
    // A recount keeps showing the previous figures until the new ones arrive.
    result: current || state.result?.source === source ? state.result : null,
    error: current ? state.error : null,
    loading: !current,
  };
}

/** How docs/METHOD.md "Dataset statistics" reads the ratio: < 1 short-completion, > 1 long-completion. */
export function ratioKind(ratio: number | null): string {
  if (ratio === null) return 'no prompt tokens';
  return ratio < 1 ? 'short-completion' : ratio > 1 ? 'long-completion' : 'balanced';
}

/** One line of a dataset's figures, as the sweep editor shows it under each dataset. */
export function DatasetStatsLine({ source, tokenizer }: { source: string; tokenizer: string }) {
  const { result, error, loading } = useDatasetStats(source, tokenizer);
  if (error) return <span className="ds-line ds-error">{error}</span>;
  if (loading || !result) return <span className="ds-line loading">counting tokens…</span>;
  const s = result.stats;
  return (
    <span className="ds-line">
      {s.count.toLocaleString()} records · {s.totalTokens.toLocaleString()} tokens · C/P ratio{' '}
      <b>{s.completionPromptRatio === null ? '—' : s.completionPromptRatio.toFixed(2)}</b> (
      {ratioKind(s.completionPromptRatio)})
    </span>
  );
}
