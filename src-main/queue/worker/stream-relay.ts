import type { Redis } from 'ioredis';
import type { WorkerEvent } from '../../../src-shared/protocol';

/**
 * Appends a job run's events to the stream in batches (one XADD per `batchMs`), in order. A
 * failed append (Redis restarting) is retried by ioredis once it reconnects.
 */
export class StreamRelay {
  private pending: WorkerEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly tag: { job: string; run: string; worker: string },
    private readonly batchMs: number,
  ) {}

  push(event: WorkerEvent): void {
    this.pending.push(event);
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.batchMs);
  }

  /** Appends what is pending; resolves once every batch so far is in the stream. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length > 0) {
      const batch = JSON.stringify(this.pending);
      this.pending = [];
      const t = this.tag;
      this.chain = this.chain.then(async () => {
        await this.redis.xadd(
          this.key,
          '*',
          'job',
          t.job,
          'run',
          t.run,
          'worker',
          t.worker,
          'events',
          batch,
        );
      });
    }
    return this.chain;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
