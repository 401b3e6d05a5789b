import type { EventHub } from '../../events/event-hub';
import type { MetricsSink } from '../../events/metrics-sink';
import type { Store } from '../../store/store';
import type { Builtins } from '../../sweeps/load';
import type { SweepRepository } from '../../sweeps/repository';
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
  repo: SweepRepository;
  sink: MetricsSink;
  hub: EventHub;
  url: string;
  builtins: Builtins;
  hashPath: HashPath;
  log: (line: string) => void;
}): QueueHost {
  const { store, repo, sink, hub } = options;
  const target = parseRedisUrl(options.url);
  const state = new QueueState(store);
  const workers = new WorkerRecords(store);
  return new QueueHost({
    target,
    workspace: state.workspace(),
    cursor: state.cursor(),
    builtins: options.builtins,
    hashPath: options.hashPath,
    log: options.log,
    commit: (apply, lastId) => {
      try {
        store.transaction(() => {
          apply();
          sink.flush();
          state.setCursor(lastId);
        });
      } catch (err) {
        // The entries stay in the stream (trimmed only after a commit): read again, not lost.
        sink.discardPending();
        throw err;
      }
    },
    orphanRefusal: (job) => {
      const cell = repo.cell(job.cellId);
      if (cell === undefined || cell.sweepId !== job.sweepId) {
        return `cell ${job.cellId} of sweep ${job.sweepId} is not in this workspace`;
      }
      if (cell.attempts !== job.attempt) {
        return `attempt ${job.attempt} is not cell ${job.cellId}'s current one (${cell.attempts})`;
      }
      if (job.claimedAt !== null && job.claimedAt !== cell.startedAt) {
        return `it ran cell ${job.cellId} before a retry: the cell's current attempt is another job`;
      }
      if (cell.state === 'done' || cell.state === 'failed' || cell.state === 'cancelled') {
        return `cell ${job.cellId} is ${cell.state}: its attempt ${job.attempt} has ended`;
      }
      return null;
    },
    claimedAt: (cellId) => repo.cell(cellId)?.startedAt ?? Date.now(),
    orphan: (event) => {
      const cell = repo.cell(event.cellId);
      if (cell === undefined) return;
      sink.push(event);
      if (event.type === 'log') hub.publish({ ...event, sweepId: cell.sweepId });
    },
    onRun: (cellId, worker) => repo.setWorker(cellId, worker),
    onBatch: (worker) => workers.heard(worker, Date.now()),
    onWorkers: (hellos, connected) =>
      store.transaction(() => workers.queueSeen(hellos, connected, Date.now())),
  });
}
