/**
 * Ingest benchmark (issue 6): metric rows per second written through the store by MetricsSink
 * (batched: one transaction per flush), against one transaction per row for scale; and the
 * end-to-end latency of an event from a real worker process to an EventHub subscriber.
 *
 *   npx tsx bench/ingest.ts [rows=200000]
 *
 * Prints figures only; never part of the pass/fail suite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventHub } from '../src-main/events/event-hub';
import { MetricsSink } from '../src-main/events/metrics-sink';
import { Scheduler } from '../src-main/scheduler/scheduler';
import { Store } from '../src-main/store/store';
import { resolveSweep } from '../src-main/sweeps/load';
import { SweepRepository } from '../src-main/sweeps/repository';
import { ForkHost } from '../src-main/workers/fork-host';
import { parseSweep } from '../src-shared/sweep';
import { SCRIPTED_WORKER } from '../test/sweeps/helpers';

const rows = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), 'plw-bench-ingest-'));

function progress(cellId: number, step: number) {
  return {
    type: 'progress' as const,
    phase: 'train' as const,
    cellId,
    step,
    totalSteps: rows,
    loss: 2 + 1 / step,
    promptLoss: 3,
    completionLoss: 1,
    lr: 2e-5,
    gradNorm: 0.7,
    tokensPerSec: 1234,
    time: Date.now(),
  };
}

function newCell(store: Store, name: string): number {
  const repo = new SweepRepository(store);
  const def = parseSweep({ name, plw: [0.1], models: ['m'], datasets: ['d'] }, 'bench');
  return repo.cells(repo.createOrContinue(def, null).id)[0]!.id;
}

function ingestBatched(): void {
  const store = new Store(join(dir, 'batched.db'));
  const cell = newCell(store, 'batched');
  const sink = new MetricsSink(store);
  // Batches as a busy sweep produces them: 10,000 events per 250 ms flush.
  const batch = 10_000;
  const t0 = performance.now();
  for (let i = 1; i <= rows; i++) {
    sink.push(progress(cell, i));
    if (i % batch === 0) sink.flush();
  }
  sink.flush();
  const s = (performance.now() - t0) / 1000;
  const n = store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM metrics').get()!.n;
  console.log(
    `batched (one transaction per ${batch} events): ${n} rows in ${s.toFixed(2)} s = ` +
      `${Math.round(n / s).toLocaleString('en-US')} rows/s`,
  );
  store.close();
}

function ingestPerRow(): void {
  const store = new Store(join(dir, 'per-row.db'));
  const cell = newCell(store, 'per-row');
  const sink = new MetricsSink(store);
  const n = Math.min(rows, 20_000);
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    sink.push(progress(cell, i));
    sink.flush();
  }
  const s = (performance.now() - t0) / 1000;
  console.log(
    `unbatched (one transaction per event, for scale): ${n} rows in ${s.toFixed(2)} s = ` +
      `${Math.round(n / s).toLocaleString('en-US')} rows/s`,
  );
  store.close();
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A real worker process (the scripted worker, 2 ms a step) → host → scheduler → hub. */
async function latency(throttleMs: number): Promise<void> {
  const store = new Store(join(dir, `latency-${throttleMs}.db`));
  const repo = new SweepRepository(store);
  const data = join(dir, 'd.json');
  writeFileSync(data, '[]');
  const def = resolveSweep(
    {
      name: 'lat',
      plw: [0.1],
      models: ['scripted'],
      datasets: [data],
      train: { steps: 2000, checkpointEvery: 500 },
    },
    'bench',
    dir,
    { models: ['scripted'], datasets: {}, tasks: [] },
  );
  const { id } = repo.createOrContinue(def, null);
  const hub = new EventHub(throttleMs);
  const delays: number[] = [];
  hub.subscribe((e) => {
    if (e.type === 'progress') delays.push(Date.now() - e.metrics.time);
  });
  process.env.PLW_TEST_STEP_MS = '2';
  const scheduler = new Scheduler(
    store,
    repo,
    new ForkHost(SCRIPTED_WORKER),
    new MetricsSink(store),
    hub,
    {
      workers: 1,
      hardware: { cores: 2, gpus: [] },
    },
  );
  await scheduler.run([id]);
  delays.sort((a, b) => a - b);
  console.log(
    `event latency worker → subscriber (hub throttle ${throttleMs} ms, ${delays.length} events seen): ` +
      `median ${quantile(delays, 0.5)} ms, p95 ${quantile(delays, 0.95)} ms, max ${delays.at(-1)} ms`,
  );
  store.close();
}

try {
  ingestBatched();
  ingestPerRow();
  await latency(0);
  await latency(100);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
