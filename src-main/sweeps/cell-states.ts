import type { CellState } from '../../src-shared/api';
import type { Store } from '../store/store';

/** A cell the scheduler has just claimed for a new attempt. */
export interface ClaimedCell {
  id: number;
  sweepId: number;
  attempts: number;
  lastCheckpointStep: number | null;
}

/**
 * The cell state machine's writes (SQL on `cells`, which lives in src-main/sweeps/ only: see
 * repository.ts): queued → running → evaluating → done | failed | cancelled,
 * plus paused (a queued or stopped cell held back) and the transitions users ask for. Each
 * method is one statement or one transaction, and returns how many cells it changed.
 */
export class CellStates {
  private readonly s;

  constructor(private readonly store: Store) {
    const db = store.db;
    this.s = {
      recover: db.prepare<[number]>(
        `UPDATE cells SET state = 'queued', updated_at = ? WHERE state IN ('running', 'evaluating')`,
      ),
      next: db.prepare<[{ ids: string | null }], ClaimedCell>(
        `SELECT id, sweep_id AS sweepId, attempts, last_checkpoint_step AS lastCheckpointStep
         FROM cells WHERE state = 'queued' AND (@ids IS NULL OR sweep_id IN (SELECT value FROM json_each(@ids)))
         ORDER BY sweep_id, idx LIMIT 1`,
      ),
      claim: db.prepare<[number, number, number]>(
        `UPDATE cells SET state = 'running', attempts = attempts + 1, error = NULL,
           started_at = ?, finished_at = NULL, updated_at = ? WHERE id = ? AND state = 'queued'`,
      ),
      set: db.prepare<[CellState, number, number]>(
        'UPDATE cells SET state = ?, updated_at = ? WHERE id = ?',
      ),
      finish: db.prepare<[CellState, string | null, number | null, number, number]>(
        'UPDATE cells SET state = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?',
      ),
      pauseQueued: db.prepare<[number, number]>(
        `UPDATE cells SET state = 'paused', updated_at = ? WHERE id = ? AND state = 'queued'`,
      ),
      resume: db.prepare<[number, number]>(
        `UPDATE cells SET state = 'queued', updated_at = ? WHERE id = ? AND state = 'paused'`,
      ),
      cancelIdle: db.prepare<[number, number]>(
        `UPDATE cells SET state = 'cancelled', updated_at = ? WHERE id = ? AND state IN ('queued', 'paused')`,
      ),
      retry: db.prepare<[number, number]>(
        `UPDATE cells SET state = 'queued', attempts = 0, error = NULL, last_checkpoint_step = NULL,
           finished_at = NULL, updated_at = ? WHERE id = ? AND state IN ('failed', 'cancelled')`,
      ),
      requeuePaused: db.prepare<[number, number]>(
        `UPDATE cells SET state = 'queued', attempts = 0, error = NULL, finished_at = NULL,
           updated_at = ? WHERE sweep_id = ? AND state IN ('paused', 'cancelled')`,
      ),
      requeueFailed: db.prepare<[number, number]>(
        `UPDATE cells SET state = 'queued', attempts = 0, error = NULL, last_checkpoint_step = NULL,
           finished_at = NULL, updated_at = ? WHERE sweep_id = ? AND state = 'failed'`,
      ),
      state: db.prepare<[number], { state: CellState; sweepId: number; attempts: number }>(
        'SELECT state, sweep_id AS sweepId, attempts FROM cells WHERE id = ?',
      ),
      ofSweep: db.prepare<[number], { id: number }>(
        'SELECT id FROM cells WHERE sweep_id = ? ORDER BY idx',
      ),
      unfinished: db.prepare<[{ ids: string | null }], { n: number }>(
        `SELECT count(*) AS n FROM cells WHERE state IN ('queued', 'running', 'evaluating')
           AND (@ids IS NULL OR sweep_id IN (SELECT value FROM json_each(@ids)))`,
      ),
    };
  }

  /** On start: cells a dead process left running or evaluating go back to the queue. */
  recoverInterrupted(): number {
    return this.s.recover.run(Date.now()).changes;
  }

  /** Claims the next queued cell of `sweepIds` (all sweeps when null), or null if none. */
  claimNext(sweepIds: readonly number[] | null): ClaimedCell | null {
    const filter = sweepIds === null ? null : JSON.stringify(sweepIds);
    return this.store.transaction(() => {
      const next = this.s.next.get({ ids: filter });
      if (next === undefined) return null;
      const now = Date.now();
      this.s.claim.run(now, now, next.id);
      return { ...next, attempts: next.attempts + 1 };
    });
  }

  /** Cells of `sweepIds` (all sweeps when null) still queued, running or evaluating. */
  unfinished(sweepIds: readonly number[] | null): number {
    return this.s.unfinished.get({ ids: sweepIds === null ? null : JSON.stringify(sweepIds) })!.n;
  }

  get(id: number): { state: CellState; sweepId: number; attempts: number } | undefined {
    return this.s.state.get(id);
  }

  cellsOf(sweepId: number): number[] {
    return this.s.ofSweep.all(sweepId).map((r) => r.id);
  }

  set(id: number, state: CellState): void {
    this.s.set.run(state, Date.now(), id);
  }

  /** Ends an attempt: done, failed (with its error), cancelled, or back to queued/paused. */
  finish(id: number, state: CellState, error: string | null = null): void {
    const now = Date.now();
    const terminal = state === 'done' || state === 'failed' || state === 'cancelled';
    this.s.finish.run(state, error, terminal ? now : null, now, id);
  }

  pauseIdle(id: number): number {
    return this.s.pauseQueued.run(Date.now(), id).changes;
  }

  resume(id: number): number {
    return this.s.resume.run(Date.now(), id).changes;
  }

  cancelIdle(id: number): number {
    return this.s.cancelIdle.run(Date.now(), id).changes;
  }

  /**
   * `plw sweep run` runs every cell that is not done: paused and cancelled cells continue from
   * their checkpoints, failed ones start again from the base model. Returns how many.
   */
  requeueUnfinished(sweepId: number): number {
    const now = Date.now();
    return this.store.transaction(
      () =>
        this.s.requeuePaused.run(now, sweepId).changes +
        this.s.requeueFailed.run(now, sweepId).changes,
    );
  }

  /** A failed or cancelled cell starts again from the base model, with fresh attempts. */
  retry(id: number): number {
    return this.s.retry.run(Date.now(), id).changes;
  }
}

/**
 * What a worker's reports change on its cell's row: the step, total and loss of its newest
 * metric, its newest checkpoint, and the rewind when an attempt starts from an older one.
 * MetricsSink runs these inside its batch transaction, after the rows they summarise.
 */
export class CellProgress {
  private readonly s;

  constructor(store: Store) {
    const db = store.db;
    this.s = {
      progress: db.prepare<[number, number, number, number, number]>(
        'UPDATE cells SET step = ?, total_steps = ?, loss = ?, updated_at = ? WHERE id = ?',
      ),
      checkpoint: db.prepare<[number, number, number]>(
        'UPDATE cells SET last_checkpoint_step = ?, updated_at = ? WHERE id = ?',
      ),
      rewind: db.prepare<[number, number | null, number, number]>(
        `UPDATE cells SET step = ?, last_checkpoint_step = ?, loss = (SELECT loss FROM metrics
           WHERE cell_id = cells.id ORDER BY step DESC LIMIT 1), updated_at = ? WHERE id = ?`,
      ),
    };
  }

  /** The cell's newest training step. */
  progress(cellId: number, step: number, totalSteps: number, loss: number, now: number): void {
    this.s.progress.run(step, totalSteps, loss, now, cellId);
  }

  /** The cell's newest checkpoint, the one a crashed attempt resumes from. */
  checkpointed(cellId: number, step: number, now: number): void {
    this.s.checkpoint.run(step, now, cellId);
  }

  /**
   * Back to checkpoint `step` (0: the base model): the row's step and checkpoint follow, its loss
   * is the newest metric left (run after the metrics past `step` are deleted).
   */
  rewound(cellId: number, step: number, now: number): void {
    this.s.rewind.run(step, step === 0 ? null : step, now, cellId);
  }
}
