import type { StepMetrics, WorkerEvent } from '../../src-shared/protocol';
import type { Store } from '../store/store';
import { CellProgress } from '../sweeps/cell-states';
import { WorkerRecords } from '../workers/worker-records';

type MetricValue = number | null;
/** Columns of a metrics row, in insertMetricsSql's order. */
const METRIC_COLUMNS = 9;
/** Rows per multi-row INSERT (9 × 64 = 576 bound values, far below SQLite's limit). */
const METRIC_CHUNK = 64;

function insertMetricsSql(rows: number): string {
  const row = `(${new Array<string>(METRIC_COLUMNS).fill('?').join(', ')})`;
  return `INSERT OR REPLACE INTO metrics
    (cell_id, step, loss, prompt_loss, completion_loss, lr, grad_norm, tokens_per_sec, time)
    VALUES ${new Array<string>(rows).fill(row).join(', ')}`;
}

/** Events the sink persists: everything a worker reports except the terminal done/error. */
export type SinkEvent = Exclude<WorkerEvent, { type: 'done' } | { type: 'error' }>;

export interface MetricsSinkOptions {
  /** Longest time an event waits in memory before its batch is written. */
  flushIntervalMs?: number;
  /**
   * Told when a batch the timer flushed could not be written (it is kept and retried at the
   * next interval); each distinct message once. Default: console.error.
   */
  onError?: (message: string) => void;
  /** Write at once when this many events are waiting (bounds memory under a burst). */
  maxBatch?: number;
}

/**
 * Writes worker events to SQLite in batches: one transaction per flush, at most every
 * `flushIntervalMs` (250 ms). Events are written in arrival order, so when a checkpoint of step
 * k is on disk, every metric up to k is too. A new attempt first reports the checkpoint it
 * loaded (`loaded`), and the sink deletes what lies past it, in event order, before the
 * attempt's own metrics arrive; metrics use INSERT OR REPLACE. So each step is stored once.
 * Checkpoints are listed from their events (`checkpoints`), not from the worker's folder, which
 * may be on another host: the newest one per cell, as the trainer keeps only that one on disk.
 */
export class MetricsSink {
  private pending: SinkEvent[] = [];
  /** Workers whose events wait in `pending`: heard from when they are written. */
  private heard = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly onError: (message: string) => void;
  private readonly reported = new Set<string>();
  private readonly writeBatch: (events: readonly SinkEvent[], heard: readonly string[]) => void;
  private readonly rewind: (cellId: number, step: number, now: number) => void;

  constructor(
    private readonly store: Store,
    options: MetricsSinkOptions = {},
  ) {
    this.interval = options.flushIntervalMs ?? 250;
    this.maxBatch = options.maxBatch ?? 50_000;
    this.onError = options.onError ?? ((message) => console.error(message));
    const db = store.db;
    // Train metrics go in multi-row INSERTs of METRIC_CHUNK rows: one statement run per chunk
    // instead of per row (rows keep their order, so a later (cell, step) still replaces an
    // earlier one); the remainder of a run of rows goes in one row at a time.
    const insertChunk = db.prepare<[MetricValue[]]>(insertMetricsSql(METRIC_CHUNK));
    const insertOne = db.prepare<[MetricValue[]]>(insertMetricsSql(1));
    const rows: MetricValue[] = [];
    const writeRows = (): void => {
      for (let i = 0; i < rows.length; i += METRIC_COLUMNS) {
        insertOne.run(rows.slice(i, i + METRIC_COLUMNS));
      }
      rows.length = 0;
    };
    const addRow = (e: StepMetrics & { cellId: number }): void => {
      rows.push(
        e.cellId,
        e.step,
        e.loss,
        e.promptLoss,
        e.completionLoss,
        e.lr,
        e.gradNorm,
        e.tokensPerSec,
        e.time,
      );
      if (rows.length === METRIC_CHUNK * METRIC_COLUMNS) {
        insertChunk.run(rows);
        rows.length = 0;
      }
    };
    const cells = new CellProgress(store);
    const insertCheckpoint = db.prepare<[number, number, string, number]>(
      'INSERT OR REPLACE INTO checkpoints (cell_id, step, path, time) VALUES (?, ?, ?, ?)',
    );
    const dropOlderCheckpoints = db.prepare<[number, number]>(
      'DELETE FROM checkpoints WHERE cell_id = ? AND step < ?',
    );
    const dropCheckpointsPast = db.prepare<[number, number]>(
      'DELETE FROM checkpoints WHERE cell_id = ? AND step > ?',
    );
    const workers = new WorkerRecords(store);
    type Maybe = number | null;
    const score = db.prepare<[number, string, string, number, Maybe, Maybe, Maybe, Maybe, Maybe]>(
      `INSERT OR REPLACE INTO scores (cell_id, benchmark, metric, value, stderr, n, chance, lower, upper)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const log = db.prepare<[number, number, string, string]>(
      'INSERT INTO logs (cell_id, time, level, message) VALUES (?, ?, ?, ?)',
    );
    const dropMetrics = db.prepare<[number, number]>(
      'DELETE FROM metrics WHERE cell_id = ? AND step > ?',
    );
    const dropScores = db.prepare<[number]>('DELETE FROM scores WHERE cell_id = ?');
    /** A new attempt starts from checkpoint `step`: what lies past it is recomputed. */
    const rewind = (cellId: number, step: number, now: number): void => {
      dropMetrics.run(cellId, step);
      dropScores.run(cellId);
      dropCheckpointsPast.run(cellId, step);
      cells.rewound(cellId, step, now);
    };
    this.rewind = rewind;
    this.writeBatch = db.transaction((events: readonly SinkEvent[], heard: readonly string[]) => {
      // Rows buffered by a batch whose transaction threw were rolled back with it: never carry
      // them into this one.
      rows.length = 0;
      // The cell row only needs the last step of the batch: one UPDATE per cell, not per row.
      const last = new Map<number, StepMetrics>();
      const now = Date.now();
      for (const e of events) {
        switch (e.type) {
          case 'progress':
            if (e.phase === 'train') {
              addRow(e);
              last.set(e.cellId, e);
            }
            break;
          case 'checkpoint':
            writeRows();
            // Metrics before it were inserted above, in this same transaction or earlier ones.
            flushLast(last, cells, now);
            if (e.loaded === true) rewind(e.cellId, e.step, now);
            else {
              cells.checkpointed(e.cellId, e.step, now);
              insertCheckpoint.run(e.cellId, e.step, e.dir, now);
              dropOlderCheckpoints.run(e.cellId, e.step);
            }
            break;
          case 'hello':
            workers.hello(e.hello, now, null);
            break;
          case 'score':
            score.run(
              e.cellId,
              e.benchmark,
              e.metric,
              e.value,
              e.stderr,
              e.n ?? null,
              e.chance ?? null,
              e.lower ?? null,
              e.upper ?? null,
            );
            break;
          case 'log':
            log.run(e.cellId, now, e.level, e.message);
            break;
        }
      }
      writeRows();
      flushLast(last, cells, now);
      for (const name of heard) workers.heard(name, now);
    });
  }

  /** Queue workers are heard from per stream batch (queue/app/open.ts); the app's own through this. */
  push(event: SinkEvent, from?: string): void {
    this.pending.push(event);
    if (from !== undefined) this.heard.add(from);
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.arm();
  }

  private arm(): void {
    this.timer ??= setTimeout(() => this.flushOnTimer(), this.interval);
  }

  /** The timer's flush: a batch that cannot be written stays pending, retried next interval. */
  private flushOnTimer(): void {
    this.timer = null;
    try {
      this.flush();
    } catch (err) {
      const message = `writing ${this.pending.length} worker events failed: ${err instanceof Error ? err.message : String(err)}; kept, retrying`;
      if (!this.reported.has(message)) {
        this.reported.add(message);
        this.onError(message);
      }
      this.arm();
    }
  }

  /**
   * Writes everything waiting, in one transaction. Safe to call at any time. When the
   * transaction throws, nothing of the batch was written: it stays pending, ahead of later
   * events, and the error is thrown to the caller.
   */
  flush(): number {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return 0;
    const batch = this.pending;
    const heard = [...this.heard];
    this.pending = [];
    this.heard.clear();
    try {
      this.writeBatch(batch, heard);
    } catch (err) {
      this.pending = batch.concat(this.pending);
      for (const name of heard) this.heard.add(name);
      throw err;
    }
    return batch.length;
  }

  /**
   * Forgets what waits unwritten: the queue's ingest calls it when its transaction failed, as
   * those events stay in the Redis stream (not trimmed) and are read again.
   */
  discardPending(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pending = [];
    this.heard.clear();
  }

  /**
   * A cell retried from scratch: drops its metrics and scores at once (the worker's `loaded`
   * checkpoint event does the same, in event order, when an attempt starts).
   */
  resetCell(cellId: number): void {
    this.flush();
    this.store.transaction(() => this.rewind(cellId, 0, Date.now()));
  }

  /** Flushes and stops the timer; call before closing the store. */
  close(): void {
    this.flush();
  }
}

function flushLast(last: Map<number, StepMetrics>, cells: CellProgress, now: number): void {
  for (const [cellId, m] of last) cells.progress(cellId, m.step, m.totalSteps, m.loss, now);
  last.clear();
}
