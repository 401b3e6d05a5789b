/**
 * The demo base model built in this process (plw demo): the CLI runs engine code in-process;
 * the app's shells run the same pre-training in a worker instead (prepare.ts).
 */
import { pretrainDemoBase } from '../../../src-worker/train/demo-base';

/** Builds (or finds in the cache) the demo base model in this process; returns its directory. */
export async function demoBaseModel(options: {
  steps?: number;
  onLog?: (line: string) => void;
  onProgress?: (step: number, total: number, loss: number, eta: number | null) => void;
}): Promise<{ dir: string; cached: boolean }> {
  const result = await pretrainDemoBase(
    {
      ...(options.steps === undefined ? {} : { steps: options.steps }),
      ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
    },
    {
      onStep: (e) => options.onProgress?.(e.step, e.totalSteps, e.loss, e.etaSeconds),
    },
  );
  return { dir: result.model, cached: result.cached };
}
