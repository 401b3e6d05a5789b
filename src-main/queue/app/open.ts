import type { EventHub } from '../../events/event-hub';
import type { MetricsSink } from '../../events/metrics-sink';
import type { Store } from '../../store/store';
import type { Builtins } from '../../sweeps/load';
import type { HashPath } from '../../workers/refs';
import { WorkerRecords } from '../../workers/worker-records';
import { QueueHost } from './queue-host';
import { QueueState } from './queue-state';
import { parseRedisUrl } from '../url';

/**
 * A QueueHost wired to this workspace's store: each stream batch, the sink's writes and the
 * new cursor go into one transaction, so an event is ingested exactly once whatever stops when.
 */
export function openQueueHost(options: {
  store: Store;
  sink: MetricsSink;
  hub: EventHub;
  url: string;
  builtins: Builtins;
  hashPath: HashPath;
  log: (line: string) => void;
}): QueueHost {
  const { store, sink, hub } = options;
  const target = parseRedisUrl(options.url);
  const state = new QueueState(store);
  const setWorker = store.db.prepare<[string, number]>('UPDATE cells SET worker = ? WHERE id = ?');
  const workers = new WorkerRecords(store);
  const sweepOf = store.db.prepare<[number], { sweepId: number }>(
    'SELECT sweep_id AS sweepId FROM cells WHERE id = ?',
  );
  return new QueueHost({
    target,
    workspace: state.workspace(),
    cursor: state.cursor(),
    builtins: options.builtins,
    hashPath: options.hashPath,
    log: options.log,
    commit: (apply, lastId) =>
      store.transaction(() => {
        apply();
        sink.flush();
        state.setCursor(lastId);
      }),
    orphan: (event) => {
      if (sweepOf.get(event.cellId) === undefined) return;
      sink.push(event);
      if (event.type === 'log') {
        hub.publish({ ...event, sweepId: sweepOf.get(event.cellId)!.sweepId });
      }
    },
    onRun: (cellId, worker) => setWorker.run(worker, cellId),
    onBatch: (worker) => workers.heard(worker, Date.now()),
    onWorkers: (hellos, connected) =>
      store.transaction(() => workers.queueSeen(hellos, connected, Date.now())),
  });
}
