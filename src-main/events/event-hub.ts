import type { CellState } from '../../src-shared/api';
import type { StepMetrics } from '../../src-shared/protocol';
import { remainingSeconds } from '../../src-shared/progress';

/** What subscribers (windows, web clients, the CLI's progress bars) hear about cells. */
export type HubEvent =
  | {
      type: 'progress';
      sweepId: number;
      cellId: number;
      metrics: StepMetrics;
      etaSeconds: number | null;
    }
  | {
      type: 'evaluate';
      sweepId: number;
      cellId: number;
      benchmark: string;
      done: number;
      total: number;
    }
  | { type: 'checkpoint'; sweepId: number; cellId: number; step: number }
  | {
      type: 'state';
      sweepId: number;
      cellId: number;
      state: CellState;
      attempts: number;
      error: string | null;
    }
  | {
      type: 'score';
      sweepId: number;
      cellId: number;
      benchmark: string;
      metric: string;
      value: number;
      stderr: number | null;
    }
  | {
      type: 'log';
      sweepId: number;
      cellId: number;
      level: 'info' | 'warn' | 'error';
      message: string;
    };

export type Subscriber = (event: HubEvent) => void;

/** Steps/second seen since a cell (re)started, for the ETA. */
interface Pace {
  step: number;
  time: number;
}

/**
 * Fans cell events out to subscribers. Progress is throttled per cell (at most one event per
 * `throttleMs`, always the latest step) because a fast trainer reports far more steps than a
 * screen can draw; every other event goes out at once, after the cell's pending progress, so
 * subscribers see a cell's events in order.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly pending = new Map<number, Extract<HubEvent, { type: 'progress' }>>();
  private readonly lastSent = new Map<number, number>();
  private readonly pace = new Map<number, Pace>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly throttleMs = 100) {}

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  publishProgress(sweepId: number, cellId: number, metrics: StepMetrics): void {
    const pace = this.pace.get(cellId);
    if (pace === undefined || metrics.step <= pace.step) {
      this.pace.set(cellId, { step: metrics.step, time: metrics.time });
    }
    const event = {
      type: 'progress' as const,
      sweepId,
      cellId,
      metrics,
      etaSeconds: remainingSeconds(
        [this.pace.get(cellId)!, { step: metrics.step, time: metrics.time }],
        metrics.totalSteps,
      ),
    };
    const since = Date.now() - (this.lastSent.get(cellId) ?? 0);
    if (since >= this.throttleMs) {
      this.pending.delete(cellId);
      this.send(event);
    } else {
      this.pending.set(cellId, event);
      this.timer ??= setTimeout(() => this.drain(), this.throttleMs - since);
    }
  }

  publish(event: Exclude<HubEvent, { type: 'progress' }>): void {
    const waiting = this.pending.get(event.cellId);
    if (waiting !== undefined) {
      this.pending.delete(event.cellId);
      this.send(waiting);
    }
    if (event.type === 'state' && event.state === 'running') this.pace.delete(event.cellId);
    for (const fn of this.subscribers) fn(event);
  }

  /** Delivers every throttled progress event now (before exit, or in tests). */
  drain(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const events = [...this.pending.values()];
    this.pending.clear();
    for (const e of events) this.send(e);
  }

  private send(event: Extract<HubEvent, { type: 'progress' }>): void {
    this.lastSent.set(event.cellId, Date.now());
    for (const fn of this.subscribers) fn(event);
  }
}
