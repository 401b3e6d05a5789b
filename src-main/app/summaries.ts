/** Sweeps and cells as the API lists them: counts, progress, ETA and primary scores. */
import type { CellSummary, SweepSummary } from '../../src-shared/api';
import { PlwError } from '../../src-shared/errors';
import {
  remainingSeconds,
  secondsPerStep,
  sweepEta,
  sweepProgress,
} from '../../src-shared/progress';
import { primaryScores, type CellRow, type SweepRepository } from '../sweeps/repository';

export interface Summaries {
  /** One sweep's summary, and its cells' (with their ETAs) for `sweeps:get`. */
  sweep(id: number): { summary: SweepSummary; cellList: () => CellSummary[] };
  cell(c: CellRow): CellSummary;
}

/**
 * `workers`: the workers available now (the app's own worker slots, or the queue workers
 * connected), which with the cells running set how many cells the sweep ETA counts at once.
 */
export function summaries(repo: SweepRepository, workers: () => number): Summaries {
  const cellSummary = (c: CellRow, eta: number | null): CellSummary => ({
    id: c.id,
    sweepId: c.sweepId,
    plw: c.plw,
    model: c.model,
    dataset: c.dataset,
    seed: c.seed,
    state: c.state,
    step: c.step,
    totalSteps: c.totalSteps,
    loss: c.loss,
    attempts: c.attempts,
    etaSeconds: eta,
    scores: primaryScores(repo.scores(c.id)),
    error: c.error,
    worker: c.worker,
  });

  /** The recent steps of each running cell in the store: its pace. */
  const recent = (cells: readonly CellRow[]): Map<number, { step: number; time: number }[]> =>
    new Map(cells.filter((c) => c.state === 'running').map((c) => [c.id, repo.recentSteps(c.id)]));
  const runningEta = (c: CellRow, points: { step: number; time: number }[] | undefined) =>
    points === undefined || !c.totalSteps ? null : remainingSeconds(points, c.totalSteps);

  return {
    sweep(id) {
      const s = repo.sweep(id);
      if (!s) throw new PlwError('bad_input', `sweep ${id}: no such sweep`);
      const cells = repo.cells(id);
      const counts: SweepSummary['counts'] = {};
      for (const c of cells) counts[c.state] = (counts[c.state] ?? 0) + 1;
      const steps = recent(cells);
      const paces = [...steps.values()].map(secondsPerStep).filter((p): p is number => p !== null);
      const planned =
        s.definition.train.steps ?? Math.max(0, ...cells.map((c) => c.totalSteps ?? 0));
      const summary: SweepSummary = {
        id: s.id,
        name: s.name,
        createdAt: new Date(s.createdAt).toISOString(),
        cells: cells.length,
        counts,
        progress: sweepProgress(cells),
        etaSeconds: sweepEta(cells, paces, planned, workers()),
      };
      return {
        summary,
        cellList: () => cells.map((c) => cellSummary(c, runningEta(c, steps.get(c.id)))),
      };
    },
    cell: (c) => cellSummary(c, runningEta(c, recent([c]).get(c.id))),
  };
}
