import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName } from '../src-shared/api';
import { useClient } from './context';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/**
 * Loads `fetcher()` and reloads it when any of `events` arrives, at most every `throttleMs`,
 * so a sweep streaming hundreds of events a second costs a few requests a second.
 */
export function useLive<T>(
  fetcher: () => Promise<T>,
  deps: readonly unknown[],
  events: readonly EventName[],
  throttleMs = 400,
): Loaded<T> {
  const client = useClient();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fetcherRef = useRef(fetcher);
  useEffect(() => {
    fetcherRef.current = fetcher;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);

  const load = useCallback(() => {
    last.current = Date.now();
    fetcherRef.current().then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);

  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, deps);

  useEffect(() => {
    const schedule = (): void => {
      if (timer.current) return;
      const wait = Math.max(0, throttleMs - (Date.now() - last.current));
      timer.current = setTimeout(() => {
        timer.current = null;
        load();
      }, wait);
    };
    const offs = events.map((e) => client.on(e, schedule));
    return () => {
      offs.forEach((off) => off());
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, load, throttleMs, ...events]);

  return { data, error, reload: load };
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return x.toFixed(digits);
}
