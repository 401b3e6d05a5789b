/**
 * One definition of how far a cell and a sweep have come, and how long they still need, used by
 * the service (home page, sweep header) and the grid alike.
 */
import type { CellState } from './api';

/**
 * Share of a cell's work that is training. A cell is done only when its benchmarks are scored,
 * so a fully trained cell must not read 100% while evaluation still runs; the rest (0.1) stands
 * for evaluation. A convention, not a measurement: evaluation's real share depends on the
 * benchmarks' items and the training steps of the sweep file.
 */
export const TRAINING_SHARE = 0.9;

/**
 * Progress of one cell in [0, 1]: done cells 1; otherwise steps done / planned steps, scaled by
 * TRAINING_SHARE; an evaluating cell has finished training (TRAINING_SHARE).
 * @example cellProgress({ state: 'running', step: 50, totalSteps: 100 }) // 0.45
 */
export function cellProgress(c: {
  state: CellState;
  step: number;
  totalSteps: number | null;
}): number {
  if (c.state === 'done') return 1;
  if (c.state === 'evaluating') return TRAINING_SHARE;
  if (!c.totalSteps) return 0;
  return Math.min(1, c.step / c.totalSteps) * TRAINING_SHARE;
}

/** Progress of a sweep in [0, 1]: the mean of its cells' `cellProgress` (0 with no cells). */
export function sweepProgress(
  cells: readonly { state: CellState; step: number; totalSteps: number | null }[],
): number {
  if (cells.length === 0) return 0;
  return cells.reduce((a, c) => a + cellProgress(c), 0) / cells.length;
}

/**
 * Seconds per training step from a cell's recent steps (`{step, time}` with time in ms, any
 * order): the slope between the oldest and newest of them. Null with fewer than two distinct
 * steps or no time elapsed.
 * @example secondsPerStep([{ step: 10, time: 0 }, { step: 20, time: 5000 }]) // 0.5
 */
export function secondsPerStep(points: readonly { step: number; time: number }[]): number | null {
  if (points.length < 2) return null;
  let first = points[0]!;
  let last = points[0]!;
  for (const p of points) {
    if (p.step < first.step) first = p;
    if (p.step > last.step) last = p;
  }
  if (last.step <= first.step || last.time <= first.time) return null;
  return (last.time - first.time) / 1000 / (last.step - first.step);
}

/**
 * Remaining seconds of a running cell's training: (planned - done steps) × seconds per step.
 * @example cellEta(40, 100, 0.5) // 30
 */
export function cellEta(step: number, totalSteps: number, perStep: number): number {
  return Math.max(0, (totalSteps - step) * perStep);
}

/**
 * Remaining seconds of a run (a cell's training, a pre-training) from steps it has timed
 * (`{step, time}`, time in ms): `cellEta` at the `secondsPerStep` of those points. Null until two
 * points of distinct steps and times exist. The one ETA of a single run: the store's recent
 * steps, the hub's live events and a pre-training's elapsed time all go through it.
 * @example remainingSeconds([{ step: 0, time: 0 }, { step: 10, time: 5000 }], 100) // 45
 */
export function remainingSeconds(
  points: readonly { step: number; time: number }[],
  totalSteps: number,
): number | null {
  const perStep = secondsPerStep(points);
  if (perStep === null) return null;
  const step = Math.max(...points.map((p) => p.step));
  return cellEta(step, totalSteps, perStep);
}

const FINISHED: readonly CellState[] = ['done', 'failed', 'cancelled'];

/**
 * How many cells of a sweep train at once from now on: as many of its unfinished cells as the
 * workers available take (`workers`: the app's own worker slots, which its running cells fill,
 * or the queue workers connected now, as a queue holds cells the app counts as running before
 * any worker has them); at least 1.
 * @example sweepParallelism([{ state: 'running' }, { state: 'queued' }, { state: 'done' }], 4) // 2
 */
export function sweepParallelism(cells: readonly { state: CellState }[], workers: number): number {
  const unfinished = cells.filter((c) => !FINISHED.includes(c.state)).length;
  return Math.max(1, Math.min(workers, unfinished));
}

/**
 * Remaining seconds of a sweep's training: the steps still to run over all unfinished cells
 * (cells not started count `stepsPerCell`) at the mean pace of the running cells, divided by
 * `sweepParallelism` (what the available `workers` take of the unfinished cells). Evaluation
 * time is not included. Null while no cell has a pace yet.
 * @example sweepEta([{ state: 'running', step: 50, totalSteps: 100 }, { state: 'queued', step: 0, totalSteps: null }], [0.5], 100, 2) // 37.5
 */
export function sweepEta(
  cells: readonly { state: CellState; step: number; totalSteps: number | null }[],
  paces: readonly number[],
  stepsPerCell: number,
  workers: number,
): number | null {
  if (paces.length === 0) return null;
  const perStep = paces.reduce((a, b) => a + b, 0) / paces.length;
  let remaining = 0;
  for (const c of cells) {
    if (FINISHED.includes(c.state)) continue;
    remaining += Math.max(0, (c.totalSteps ?? stepsPerCell) - c.step);
  }
  return (remaining * perStep) / sweepParallelism(cells, workers);
}
