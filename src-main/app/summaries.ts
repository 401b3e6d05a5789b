/** Sweeps and cells as the API lists them: counts, progress, ETA and primary scores. */
import type { CellSummary, SweepSummary } from '../../src-shared/api';
import { PlwError } from '../../src-shared/errors';
import { cellEta, secondsPerStep, sweepEta, sweepProgress } from '../../src-shared/progress';
import { primaryScores, type CellRow, type SweepRepository } from '../sweeps/repository';

export interface Summaries {
  /** One sweep's summary, and its cells' (with their ETAs) for `sweeps:get`. */
  sweep(id: number): { summary: SweepSummary; cellList: () => CellSummary[] };
  cell(c: CellRow): CellSummary;
}

export function summaries(repo: SweepRepository, workers: number): Summaries {
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

  /** Seconds per step of each running cell, from its recent steps in the store. */
  const paces = (cells: readonly CellRow[]): Map<number, number> => {
    const out = new Map<number, number>();
    for (const c of cells) {
      if (c.state !== 'running') continue;
      const pace = secondsPerStep(repo.recentSteps(c.id));
      if (pace !== null) out.set(c.id, pace);
    }
    return out;
  };
  const runningEta = (c: CellRow, pace: number | undefined): number | null =>
    pace === undefined || !c.totalSteps ? null : cellEta(c.step, c.totalSteps, pace);

  return {
    sweep(id) {
      const s = repo.sweep(id);
      if (!s) throw new PlwError('bad_input', `sweep ${id}: no such sweep`);
      const cells = repo.cells(id);
      const counts: SweepSummary['counts'] = {};
      for (const c of cells) counts[c.state] = (counts[c.state] ?? 0) + 1;
      const cellPaces = paces(cells);
      const planned =
        s.definition.train.steps ?? Math.max(0, ...cells.map((c) => c.totalSteps ?? 0));
      const summary: SweepSummary = {
        id: s.id,
        name: s.name,
        createdAt: new Date(s.createdAt).toISOString(),
        cells: cells.length,
        counts,
        progress: sweepProgress(cells),
        etaSeconds: sweepEta(cells, [...cellPaces.values()], planned, workers),
      };
      return {
        summary,
        cellList: () => cells.map((c) => cellSummary(c, runningEta(c, cellPaces.get(c.id)))),
      };
    },
    cell: (c) => cellSummary(c, runningEta(c, paces([c]).get(c.id))),
  };
}
