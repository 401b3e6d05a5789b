/**
 * The hook between a sweep's definition and its cells' external engine (src-shared/engine.ts):
 * what a CellSpec or queue job carries, and how long a stop may take before the worker is
 * killed (the trainer's grace, so SIGKILL of the worker never orphans its trainer).
 */
import type { CellEngine } from '../../src-shared/engine';
import { DEFAULT_GRACE_SECONDS } from '../../src-shared/engine';
import { engineFor, type SweepDefinition } from '../../src-shared/sweep';

/** `{ engine }` for a CellSpec when the cell runs any external command, else `{}`. */
export function externalEngine(
  def: Pick<SweepDefinition, 'trainer' | 'evaluator' | 'modelEngines'>,
  model: string,
): { engine?: CellEngine } {
  const engine = engineFor(def, model);
  return engine.trainer === undefined && engine.evaluator === undefined ? {} : { engine };
}

/** The longest a stopping worker may need: its commands' grace plus time to report. */
export function stopGraceMs(engine: CellEngine | undefined, builtinMs: number): number {
  const seconds = Math.max(
    engine?.trainer === undefined ? 0 : (engine.trainer.grace_seconds ?? DEFAULT_GRACE_SECONDS),
    engine?.evaluator === undefined ? 0 : (engine.evaluator.grace_seconds ?? DEFAULT_GRACE_SECONDS),
  );
  return Math.max(builtinMs, seconds === 0 && engine === undefined ? 0 : seconds * 1000 + 5000);
}
