import { createHash } from 'node:crypto';
import type { CellState } from '../../src-shared/api';
import { canonicalJson, expandCells, type SweepDefinition } from '../../src-shared/sweep';
import type { Store } from '../store/store';
import { CellStates } from './cell-states';

/** sha-256 of the canonical definition: key order and whitespace do not change it. */
export function sweepHash(def: SweepDefinition): string {
  return createHash('sha256').update(canonicalJson(def)).digest('hex');
}

export interface SweepRow {
  id: number;
  name: string;
  hash: string;
  definition: SweepDefinition;
  sourceFile: string | null;
  createdAt: number;
}

export interface CellRow {
  id: number;
  sweepId: number;
  idx: number;
  plw: number;
  model: string;
  dataset: string;
  /** Replicate seed (null: the sweep's one `seed`). */
  seed: number | null;
  state: CellState;
  attempts: number;
  step: number;
  totalSteps: number | null;
  loss: number | null;
  lastCheckpointStep: number | null;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  /** The queue worker running (or last to run) the cell; null in local mode. */
  worker: string | null;
}

/** What a viewer compares between two reads of the store (workspace/store-tail.ts). */
export interface CellSnapshot {
  id: number;
  sweepId: number;
  state: CellState;
  attempts: number;
  step: number;
  totalSteps: number | null;
  lastCheckpointStep: number | null;
  error: string | null;
}

export interface MetricRow {
  step: number;
  loss: number | null;
  promptLoss: number | null;
  completionLoss: number | null;
  lr: number | null;
  gradNorm: number | null;
  tokensPerSec: number | null;
  time: number;
}

export interface ScoreRecord {
  benchmark: string;
  metric: string;
  value: number;
  stderr: number | null;
  /** Items scored, chance level and 95% interval; null for scores stored before they were kept. */
  n: number | null;
  chance: number | null;
  lower: number | null;
  upper: number | null;
}

export interface LogRecord {
  time: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

const CELL_COLUMNS = `id, sweep_id AS sweepId, idx, plw, model, dataset, seed, state, attempts, step,
  total_steps AS totalSteps, loss, last_checkpoint_step AS lastCheckpointStep, error,
  started_at AS startedAt, finished_at AS finishedAt, updated_at AS updatedAt, worker`;

/**
 * A benchmark's headline number for tables and the status command: lm-eval's `acc` for
 * multiple choice, `bleu` for translation, else the first metric reported.
 */
export function primaryScores(scores: readonly ScoreRecord[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(primaryScoreRecords(scores)).map(([b, s]) => [b, s.value]),
  );
}

/** `primaryScores` with each headline score's whole record (n, chance, interval). */
export function primaryScoreRecords(scores: readonly ScoreRecord[]): Record<string, ScoreRecord> {
  const rank = (m: string): number => (m === 'acc' ? 0 : m === 'bleu' ? 1 : 2);
  const out: Record<string, ScoreRecord> = {};
  for (const s of scores) {
    const cur = out[s.benchmark];
    if (cur === undefined || rank(s.metric) < rank(cur.metric)) out[s.benchmark] = s;
  }
  return out;
}

/**
 * The sweeps feature's queries: sweeps, their cells and what the cells produced. Every statement
 * on the `cells` table lives in this folder: here (creating, reading), in `states` (the state
 * machine's transitions, ./cell-states.ts) and in CellProgress there (what workers report,
 * written by MetricsSink); test/sweeps/cells-sql.test.ts keeps it so.
 */
export class SweepRepository {
  private readonly stmts;
  /** The cell state machine's writes: claim, finish, pause, resume, retry, recover. */
  readonly states: CellStates;

  constructor(private readonly store: Store) {
    this.states = new CellStates(store);
    const db = store.db;
    this.stmts = {
      findSweep: db.prepare<[string, string], { id: number }>(
        'SELECT id FROM sweeps WHERE name = ? AND hash = ?',
      ),
      insertSweep: db.prepare<[string, string, string, string | null, number]>(
        'INSERT INTO sweeps (name, hash, definition, source_file, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      insertCell: db.prepare<[number, number, number, string, string, number | null, number]>(
        'INSERT INTO cells (sweep_id, idx, plw, model, dataset, seed, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      sweep: db.prepare<[number], RawSweep>(
        'SELECT id, name, hash, definition, source_file, created_at FROM sweeps WHERE id = ?',
      ),
      sweeps: db.prepare<[], RawSweep>(
        'SELECT id, name, hash, definition, source_file, created_at FROM sweeps ORDER BY id',
      ),
      cells: db.prepare<[number], CellRow>(
        `SELECT ${CELL_COLUMNS} FROM cells WHERE sweep_id = ? ORDER BY idx`,
      ),
      cell: db.prepare<[number], CellRow>(`SELECT ${CELL_COLUMNS} FROM cells WHERE id = ?`),
      snapshots: db.prepare<[], CellSnapshot>(
        `SELECT id, sweep_id AS sweepId, state, attempts, step, total_steps AS totalSteps,
           last_checkpoint_step AS lastCheckpointStep, error FROM cells`,
      ),
      onWorkers: db.prepare<[], { id: number; sweepId: number; worker: string }>(
        `SELECT id, sweep_id AS sweepId, worker FROM cells
         WHERE worker IS NOT NULL AND state IN ('running', 'evaluating') ORDER BY id`,
      ),
      setWorker: db.prepare<[string, number]>('UPDATE cells SET worker = ? WHERE id = ?'),
      datasetUse: db.prepare<[], { dataset: string; sweeps: number }>(
        'SELECT dataset, COUNT(DISTINCT sweep_id) AS sweeps FROM cells GROUP BY dataset',
      ),
      metrics: db.prepare<[number], MetricRow>(
        `SELECT step, loss, prompt_loss AS promptLoss, completion_loss AS completionLoss, lr,
          grad_norm AS gradNorm, tokens_per_sec AS tokensPerSec, time
         FROM metrics WHERE cell_id = ? ORDER BY step`,
      ),
      scores: db.prepare<[number], ScoreRecord>(
        'SELECT benchmark, metric, value, stderr, n, chance, lower, upper FROM scores WHERE cell_id = ? ORDER BY benchmark, metric',
      ),
      recentSteps: db.prepare<[number, number], { step: number; time: number }>(
        'SELECT step, time FROM metrics WHERE cell_id = ? ORDER BY step DESC LIMIT ?',
      ),
      checkpoints: db.prepare<[number], { step: number; path: string }>(
        'SELECT step, path FROM checkpoints WHERE cell_id = ? ORDER BY step',
      ),
      logs: db.prepare<[number], LogRecord>(
        'SELECT time, level, message FROM logs WHERE cell_id = ? ORDER BY id',
      ),
    };
  }

  /**
   * Creates the sweep and its queued cells, or finds the sweep made from the same definition
   * (same name and canonical hash) so that running a file again continues it.
   */
  createOrContinue(
    def: SweepDefinition,
    sourceFile: string | null,
  ): { id: number; created: boolean } {
    const hash = sweepHash(def);
    return this.store.transaction(() => {
      const existing = this.stmts.findSweep.get(def.name, hash);
      if (existing !== undefined) return { id: existing.id, created: false };
      const now = Date.now();
      const info = this.stmts.insertSweep.run(def.name, hash, JSON.stringify(def), sourceFile, now);
      const id = Number(info.lastInsertRowid);
      for (const c of expandCells(def)) {
        this.stmts.insertCell.run(id, c.idx, c.plw, c.model, c.dataset, c.seed, now);
      }
      return { id, created: true };
    });
  }

  sweep(id: number): SweepRow | undefined {
    const raw = this.stmts.sweep.get(id);
    return raw === undefined ? undefined : toSweep(raw);
  }

  sweeps(): SweepRow[] {
    return this.stmts.sweeps.all().map(toSweep);
  }

  cells(sweepId: number): CellRow[] {
    return this.stmts.cells.all(sweepId);
  }

  cell(id: number): CellRow | undefined {
    return this.stmts.cell.get(id);
  }

  /** Every cell's state and progress, for a viewer to compare with its last read. */
  snapshots(): CellSnapshot[] {
    return this.stmts.snapshots.all();
  }

  /** Cells running or evaluating on a named (queue) worker. */
  cellsOnWorkers(): { id: number; sweepId: number; worker: string }[] {
    return this.stmts.onWorkers.all();
  }

  /** The queue worker that runs the cell (its job began a run there). */
  setWorker(cellId: number, worker: string): void {
    this.stmts.setWorker.run(worker, cellId);
  }

  /** How many sweeps use each dataset (as the cells name it). */
  datasetUse(): { dataset: string; sweeps: number }[] {
    return this.stmts.datasetUse.all();
  }

  metrics(cellId: number): MetricRow[] {
    return this.stmts.metrics.all(cellId);
  }

  /** The cell's last `limit` steps with their times (newest first): its recent pace. */
  recentSteps(cellId: number, limit = 20): { step: number; time: number }[] {
    return this.stmts.recentSteps.all(cellId, limit);
  }

  scores(cellId: number): ScoreRecord[] {
    return this.stmts.scores.all(cellId);
  }

  /** The cell's checkpoints as its worker reported them (paths on the worker's host). */
  checkpoints(cellId: number): { step: number; path: string }[] {
    return this.stmts.checkpoints.all(cellId);
  }

  logs(cellId: number): LogRecord[] {
    return this.stmts.logs.all(cellId);
  }
}

interface RawSweep {
  id: number;
  name: string;
  hash: string;
  definition: string;
  source_file: string | null;
  created_at: number;
}

function toSweep(r: RawSweep): SweepRow {
  return {
    id: r.id,
    name: r.name,
    hash: r.hash,
    definition: JSON.parse(r.definition) as SweepDefinition,
    sourceFile: r.source_file,
    createdAt: r.created_at,
  };
}
