import type { EventHub } from '../events/event-hub';
import type { Store } from '../store/store';
import type { CellSnapshot, MetricRow, SweepRepository } from '../sweeps/repository';

type CellSnap = CellSnapshot;

/**
 * What a viewer process hears of a workspace another process runs: it reads the store after
 * each commit of that process (`PRAGMA data_version` says when there was one) and publishes
 * the differences (new steps, states, checkpoints, scores, log lines) through its own hub, so
 * its windows and progress bars see the same events as the runner's.
 */
export class StoreTail {
  private readonly s;
  private cells = new Map<number, CellSnap>();
  private scoreCounts = new Map<number, number>();
  private lastLogId = 0;
  private version = -1;

  constructor(
    private readonly store: Store,
    private readonly repo: SweepRepository,
    private readonly hub: EventHub,
  ) {
    const db = store.db;
    this.s = {
      metrics: db.prepare<[number, number], MetricRow>(
        `SELECT step, loss, prompt_loss AS promptLoss, completion_loss AS completionLoss, lr,
           grad_norm AS gradNorm, tokens_per_sec AS tokensPerSec, time
         FROM metrics WHERE cell_id = ? AND step > ? ORDER BY step`,
      ),
      scoreCounts: db.prepare<[], { cellId: number; n: number }>(
        'SELECT cell_id AS cellId, count(*) AS n FROM scores GROUP BY cell_id',
      ),
      scores: db.prepare<
        [number],
        { benchmark: string; metric: string; value: number; stderr: number | null }
      >('SELECT benchmark, metric, value, stderr FROM scores WHERE cell_id = ?'),
      logs: db.prepare<
        [number],
        { id: number; cellId: number; level: 'info' | 'warn' | 'error'; message: string }
      >(
        `SELECT id, cell_id AS cellId, level, message FROM logs
         WHERE id > ? AND cell_id IS NOT NULL ORDER BY id LIMIT 5000`,
      ),
      maxLog: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM logs'),
    };
    this.snapshot();
  }

  /** Takes the store as it is now as the starting point: only later changes are published. */
  snapshot(): void {
    this.version = this.dataVersion();
    this.cells = new Map(this.repo.snapshots().map((c) => [c.id, c]));
    this.scoreCounts = new Map(this.s.scoreCounts.all().map((r) => [r.cellId, r.n]));
    this.lastLogId = this.s.maxLog.get()?.id ?? 0;
  }

  /**
   * Publishes what other processes committed since the last call; returns whether there was
   * anything (false without reading tables when no other connection has committed).
   */
  poll(): boolean {
    const version = this.dataVersion();
    if (version === this.version) return false;
    this.version = version;
    const sweepOf = new Map<number, number>();
    for (const c of this.repo.snapshots()) {
      sweepOf.set(c.id, c.sweepId);
      const before = this.cells.get(c.id);
      this.cells.set(c.id, c);
      const fromStep = before === undefined || c.step < before.step ? 0 : before.step;
      if (c.step > fromStep) {
        for (const m of this.s.metrics.all(c.id, fromStep)) {
          this.hub.publishProgress(c.sweepId, c.id, {
            step: m.step,
            totalSteps: c.totalSteps ?? m.step,
            loss: m.loss ?? Number.NaN,
            promptLoss: m.promptLoss,
            completionLoss: m.completionLoss,
            lr: m.lr ?? 0,
            gradNorm: m.gradNorm,
            tokensPerSec: m.tokensPerSec,
            time: m.time,
          });
        }
      }
      if (
        c.lastCheckpointStep !== null &&
        c.lastCheckpointStep !== (before?.lastCheckpointStep ?? null)
      ) {
        this.hub.publish({
          type: 'checkpoint',
          sweepId: c.sweepId,
          cellId: c.id,
          step: c.lastCheckpointStep,
        });
      }
      if (before === undefined || before.state !== c.state || before.attempts !== c.attempts) {
        this.hub.publish({
          type: 'state',
          sweepId: c.sweepId,
          cellId: c.id,
          state: c.state,
          attempts: c.attempts,
          error: c.error,
        });
      }
    }
    for (const { cellId, n } of this.s.scoreCounts.all()) {
      if ((this.scoreCounts.get(cellId) ?? 0) === n) continue;
      this.scoreCounts.set(cellId, n);
      for (const s of this.s.scores.all(cellId)) {
        this.hub.publish({ type: 'score', sweepId: sweepOf.get(cellId) ?? 0, cellId, ...s });
      }
    }
    for (const l of this.s.logs.all(this.lastLogId)) {
      this.lastLogId = l.id;
      this.hub.publish({
        type: 'log',
        sweepId: sweepOf.get(l.cellId) ?? 0,
        cellId: l.cellId,
        level: l.level,
        message: l.message,
      });
    }
    return true;
  }

  /**
   * For the runner: whether another process committed since the last call (its own commits
   * do not count), without publishing anything.
   */
  changedElsewhere(): boolean {
    const version = this.dataVersion();
    const changed = version !== this.version;
    this.version = version;
    return changed;
  }

  private dataVersion(): number {
    return this.store.db.pragma('data_version', { simple: true }) as number;
  }
}
