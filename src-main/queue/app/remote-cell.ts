import type { MainMessage, WorkerEvent } from '../../../src-shared/protocol';
import type { WorkerExit, WorkerHandle } from '../../workers/host';
import type { EventBatch } from '../protocol';
import type { QueueHost } from './queue-host';

/** One cell attempt on the queue, seen by the Scheduler as a worker process. */
export class RemoteCell implements WorkerHandle {
  readonly pid = undefined;
  readonly exited: Promise<WorkerExit>;
  jobId: string | null = null;
  cellId = 0;
  settled = false;
  private resolveExit!: (exit: WorkerExit) => void;
  private readonly listeners: ((message: unknown) => void)[] = [];
  private readonly runs = new Set<string>();
  private run: string | null = null;
  private attempt = 0;

  constructor(private readonly host: QueueHost) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  send(message: MainMessage): void {
    if (message.type === 'start') {
      this.cellId = message.spec.cellId;
      this.attempt = message.spec.attempt;
      this.host.enqueue(this, message.spec);
    } else if (message.type === 'cancel') {
      void this.host.stop(this).catch(() => this.exit('stop failed'));
    }
  }

  onMessage(listener: (message: unknown) => void): void {
    this.listeners.push(listener);
  }

  /** The app lets go of the job (shutdown, or a stop that took too long); workers go on. */
  kill(): void {
    this.host.detach(this);
    this.exit('detached from its queue job, which goes on on its worker');
  }

  exit(why: string): void {
    this.settled = true;
    this.resolveExit({ code: null, signal: null, stderrTail: why });
  }

  /** An event produced here, not by a worker (re-attach notes). */
  deliverLocal(event: WorkerEvent): void {
    for (const l of this.listeners) l(event);
  }

  failWith(message: string): void {
    this.deliverLocal({
      type: 'error',
      cellId: this.cellId,
      error: { code: 'run_failed', message },
    });
    this.finish();
  }

  /** Why a batch of this cell's job is not this cell's to apply, or null when it is. */
  refusal(batch: EventBatch): string | null {
    if (this.settled) return `job ${batch.job}: its attempt has ended`;
    const foreign = batch.events.find((e) => e.cellId !== this.cellId);
    if (foreign !== undefined) {
      return `job ${batch.job} runs cell ${this.cellId}, but an event names cell ${foreign.cellId}`;
    }
    if (batch.run !== this.run && this.runs.has(batch.run)) {
      return `job ${batch.job}: run ${batch.run} was superseded`;
    }
    return null;
  }

  /**
   * Hands a batch (one `refusal` accepted) to the Scheduler. A job taken again (stalled worker, retry) starts a new run;
   * the newest run wins and a superseded one is ignored. Returns true once the cell settled.
   */
  deliver(batch: EventBatch, onRun?: (cellId: number, worker: string) => void): boolean {
    if (this.settled) return false;
    if (batch.run !== this.run) {
      this.runs.add(batch.run);
      this.run = batch.run;
      onRun?.(this.cellId, batch.worker);
      this.deliverLocal({
        type: 'log',
        cellId: this.cellId,
        level: 'info',
        message: `attempt ${this.attempt} running on worker ${batch.worker}${this.runs.size > 1 ? ` (run ${this.runs.size} of its job)` : ''}`,
      });
    }
    for (const e of batch.events) {
      if (e.cellId !== this.cellId) continue;
      this.deliverLocal(e);
      if (e.type === 'done' || e.type === 'error') {
        this.finish();
        return true;
      }
    }
    return false;
  }

  private finish(): void {
    this.settled = true;
    // After the Scheduler's handlers ran for the terminal event.
    setImmediate(() => this.resolveExit({ code: 0, signal: null, stderrTail: '' }));
  }
}
