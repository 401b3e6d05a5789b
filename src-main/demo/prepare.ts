/**
 * Prepares the demo sweep for the app's shells without blocking their event loop: the demo base
 * model is pre-trained (or found in the cache) by a worker of the shell's worker host, the one
 * that runs the cells (utilityProcess in Electron, child_process in `plw serve`), so no engine
 * code loads in the main process.
 */
import { PlwError } from '../../src-shared/errors';
import { runPretrainJob, type WorkerHost } from '../workers/host';
import { demoDefinition } from './demo-sweep';

/**
 * Runs the demo base model's pre-training job on `host` and resolves with the demo sweep
 * definition on that model. `onStep` hears every step with the pre-training's own ETA (the
 * home page shows the job while it runs); `log` gets the backend and about 20 step lines, as
 * `plw pretrain` prints them. `steps` overrides the pre-training's default step count.
 */
export async function prepareDemoSweep(
  host: WorkerHost,
  log: (line: string) => void,
  onStep: (step: number, totalSteps: number, etaSeconds: number | null) => void = () => {},
  options: { steps?: number } = {},
): Promise<unknown> {
  const say = (line: string): void => log(`demo base model: ${line}`);
  let built: { model: string; cached: boolean };
  try {
    built = await runPretrainJob(
      host,
      { kind: 'demo-base', ...(options.steps === undefined ? {} : { steps: options.steps }) },
      {
        onLog: say,
        onStep: (step, totalSteps, loss, etaSeconds) => {
          onStep(step, totalSteps, etaSeconds);
          const every = Math.max(1, Math.round(totalSteps / 20));
          if (step % every === 0 || step === totalSteps) {
            const eta = etaSeconds === null ? '' : ` ETA ${Math.round(etaSeconds)} s`;
            say(`pretrain step ${step}/${totalSteps} loss ${loss.toFixed(4)}${eta}`);
          }
        },
      },
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new PlwError(
      err instanceof PlwError ? err.code : 'run_failed',
      `pre-training the demo base model failed: ${why}`,
    );
  }
  say(built.cached ? `cached model: ${built.model}` : `built the base model: ${built.model}`);
  return demoDefinition(built.model);
}
