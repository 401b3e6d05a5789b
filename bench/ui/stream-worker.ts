/**
 * bench/ui's load generator: a real worker process speaking the real protocol (serveWorker of
 * src-worker/entry.ts) that reports training progress at a fixed rate instead of training, so
 * 60 cells can stream at once on a 2-core machine. One cell (PLW_BENCH_HISTORY_CELL) first
 * reports PLW_BENCH_HISTORY steps at once, giving it a long curve. `time` is the moment each
 * event leaves the worker; bench/ui reads it back from SQLite to measure event→pixel latency.
 */
import { serveWorker } from '../../src-worker/entry';

const INTERVAL_MS = Number(process.env.PLW_BENCH_INTERVAL ?? 100);
const HISTORY_CELL = Number(process.env.PLW_BENCH_HISTORY_CELL ?? 0);
const HISTORY = Number(process.env.PLW_BENCH_HISTORY ?? 10_000);
const TOTAL = 1_000_000;

serveWorker(async (spec, report, signal) => {
  const point = (step: number) => {
    const base = 0.9 + 2.2 * Math.exp(-step / 2000) + Math.sin(step / 7) * 0.05;
    return {
      type: 'progress' as const,
      phase: 'train' as const,
      cellId: spec.cellId,
      step,
      totalSteps: TOTAL,
      loss: base,
      promptLoss: base * 1.4,
      completionLoss: base * 0.8,
      lr: 2e-5,
      gradNorm: 1,
      tokensPerSec: 4000,
      time: Date.now(),
    };
  };
  let step = 0;
  if (spec.cellId === HISTORY_CELL) {
    while (step < HISTORY) report(point(++step));
  }
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    report(point(++step));
  }
});
