import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventHub, type HubEvent } from '../../src-main/events/event-hub';
import { MetricsSink } from '../../src-main/events/metrics-sink';
import { Scheduler } from '../../src-main/scheduler/scheduler';
import { Store } from '../../src-main/store/store';
import { resolveSweep, type Builtins } from '../../src-main/sweeps/load';
import { SweepRepository } from '../../src-main/sweeps/repository';
import { ForkHost } from '../../src-main/workers/fork-host';
import { REPO_ROOT } from '../helpers/paths';

export const SCRIPTED_WORKER = join(REPO_ROOT, 'test/sweeps/fixtures/scripted-worker.ts');
export const TEST_BUILTINS: Builtins = { models: ['scripted'], datasets: {}, tasks: ['demo-qa'] };

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'plw-sweeps-'));
}

/** A small dataset file the scripted worker accepts (it only checks the JSON parses). */
export function writeDataset(
  dir: string,
  name: string,
  text = '[{"instruction":"a","input":"","output":"b"}]',
): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A store, sink, hub and scheduler on a temp DB, driving the scripted worker. */
export function rig(dir: string, options: { workers?: number; maxAttempts?: number } = {}) {
  const store = new Store(join(dir, 'ws.db'));
  const repo = new SweepRepository(store);
  const sink = new MetricsSink(store, { flushIntervalMs: 50 });
  const hub = new EventHub(0);
  const events: HubEvent[] = [];
  hub.subscribe((e) => events.push(e));
  const scheduler = new Scheduler(store, repo, new ForkHost(SCRIPTED_WORKER), sink, hub, {
    workers: options.workers ?? 2,
    maxAttempts: options.maxAttempts ?? 3,
    hardware: { cores: 2, gpus: [] },
    cancelGraceMs: 5000,
  });
  const create = (raw: unknown) =>
    repo.createOrContinue(resolveSweep(raw, 'sweep.json', dir, TEST_BUILTINS), null);
  return { store, repo, sink, hub, events, scheduler, create };
}
