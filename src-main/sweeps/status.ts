import { existsSync } from 'node:fs';
import { PlwError } from '../../src-shared/errors';
import { shortName } from '../../src-shared/names';
import { Store } from '../store/store';
import { primaryScores, type ScoreRecord, type SweepRepository } from './repository';

/** One cell in `plw sweep status --json` (docs/CLI.md "Sweeps": its fields, then extras). */
export interface CellStatus {
  id: number;
  plw: number;
  /** The model as the app shows it (a cached base model by its folder name, `demo-base`). */
  model: string;
  dataset: string;
  /** The replicate's seed, present only when the sweep has `"seeds"` (docs/CLI.md "Sweeps"). */
  seed?: number;
  state: string;
  step: number;
  attempts: number;
  scores: Record<string, number>;
  totalSteps: number | null;
  loss: number | null;
  error: string | null;
  /** The model as the sweep names it: a preset name or the model directory. */
  modelPath: string;
  /** The queue worker that runs or ran the cell (`plw worker --name`); null in local mode. */
  worker: string | null;
}

export interface SweepStatus {
  id: number;
  name: string;
  cells: CellStatus[];
}

/** `plw sweep status`: every sweep with its cells' state, step, loss and headline scores. */
export function sweepStatus(repo: SweepRepository): SweepStatus[] {
  return repo.sweeps().map((s) => ({
    id: s.id,
    name: s.name,
    cells: repo.cells(s.id).map((c) => ({
      id: c.id,
      plw: c.plw,
      model: shortName(c.model),
      dataset: c.dataset,
      ...(c.seed === null ? {} : { seed: c.seed }),
      state: c.state,
      step: c.step,
      attempts: c.attempts,
      scores: primaryScores(repo.scores(c.id)),
      totalSteps: c.totalSteps,
      loss: c.loss,
      error: c.error,
      modelPath: c.model,
      worker: c.worker,
    })),
  }));
}

/** `plw cell show --json`: docs/CLI.md "Sweeps": its fields, then extras. */
export interface CellReport {
  id: number;
  state: string;
  metrics: {
    step: number;
    loss: number | null;
    promptLoss: number | null;
    completionLoss: number | null;
    lr: number | null;
    gradNorm: number | null;
    tokensPerSec: number | null;
  }[];
  /** Benchmark → headline metric (acc, or bleu), as in `sweep status`. */
  scores: Record<string, number>;
  /** The cell's log, one line each: `ISO-time level message`. */
  log: string[];
  sweepId: number;
  plw: number;
  model: string;
  dataset: string;
  attempts: number;
  lastCheckpointStep: number | null;
  error: string | null;
  /** The queue worker that runs or ran the cell (`plw worker --name`); null in local mode. */
  worker: string | null;
  /** Every metric of every benchmark, with its standard error, items, chance and 95% interval. */
  allScores: ScoreRecord[];
}

export function cellReport(repo: SweepRepository, id: number): CellReport {
  const c = repo.cell(id);
  if (c === undefined) throw new PlwError('bad_input', `cell ${id}: no such cell`);
  const scores = repo.scores(id);
  return {
    id: c.id,
    state: c.state,
    metrics: repo.metrics(id).map((m) => ({
      step: m.step,
      loss: m.loss,
      promptLoss: m.promptLoss,
      completionLoss: m.completionLoss,
      lr: m.lr,
      gradNorm: m.gradNorm,
      tokensPerSec: m.tokensPerSec,
    })),
    scores: primaryScores(scores),
    log: repo.logs(id).map((l) => `${new Date(l.time).toISOString()} ${l.level} ${l.message}`),
    sweepId: c.sweepId,
    plw: c.plw,
    model: c.model,
    dataset: c.dataset,
    attempts: c.attempts,
    lastCheckpointStep: c.lastCheckpointStep,
    error: c.error,
    worker: c.worker,
    allScores: scores,
  };
}

/** Opens a workspace that must already exist (read commands never create one). */
export function openExistingStore(dbPath: string): Store {
  if (!existsSync(dbPath)) {
    throw new PlwError(
      'bad_input',
      `${dbPath}: no workspace database here (run a sweep first, or pass --db)`,
    );
  }
  return new Store(dbPath);
}
