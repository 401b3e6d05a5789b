/**
 * The API's demo handlers: `sweeps:demo` prepares the demo sweep (pre-training its base model
 * the first time, reported as `demo:progress`) and creates it; `demo:status` says where that is.
 */
import type { DemoStatus, PlwHandlers } from '../../src-shared/api';
import { PlwError } from '../../src-shared/errors';
import { remainingSeconds } from '../../src-shared/progress';
import type { Emit } from './api-events';
import type { CreateSweep } from './sweeps';

/** Builds the demo sweep definition, reporting pre-training steps (with their own ETA if any). */
export type DemoSweep = (
  onStep: (step: number, totalSteps: number, etaSeconds?: number | null) => void,
) => Promise<unknown>;

export function demoHandlers(
  demoSweep: DemoSweep | undefined,
  create: CreateSweep,
  emit: Emit,
  /** Just before the demo sweep starts: the workspace sizes its workers for the tiny model. */
  beforeRun: () => void = () => undefined,
): Pick<PlwHandlers, 'sweeps:demo' | 'demo:status'> {
  let demo: DemoStatus = { state: 'idle' };
  let preparing: Promise<unknown> | null = null;
  return {
    'sweeps:demo': async () => {
      if (demoSweep === undefined) throw new PlwError('bad_usage', 'no demo sweep is configured');
      // A second click while the base model pre-trains waits for the same preparation.
      preparing ??= (async () => {
        const startedAt = Date.now();
        demo = { state: 'preparing', step: null, totalSteps: null, etaSeconds: null, startedAt };
        emit('demo:progress', demo);
        try {
          const def = await demoSweep((step, totalSteps, etaSeconds) => {
            const elapsed = [
              { step: 0, time: startedAt },
              { step, time: Date.now() },
            ];
            demo = {
              state: 'preparing',
              step,
              totalSteps,
              etaSeconds: etaSeconds ?? remainingSeconds(elapsed, totalSteps),
              startedAt,
            };
            emit('demo:progress', demo);
          });
          demo = { state: 'idle' };
          return def;
        } catch (err) {
          demo = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
          throw err;
        } finally {
          preparing = null;
          emit('demo:progress', demo);
        }
      })();
      const def = await preparing;
      beforeRun();
      return create(def, true);
    },
    'demo:status': () => demo,
  };
}
