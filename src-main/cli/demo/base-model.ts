/**
 * The demo base model built in this process (plw demo): the CLI runs engine code in-process;
 * the app's shells ask a `plw pretrain` child instead (prepare.ts).
 */
import { join } from 'node:path';
import { DEMO_DATA_DIR } from '../../../src-worker/data/demo/index';
import { runPretraining } from '../../../src-worker/train/pretrain';

/** Builds (or finds in the cache) the demo base model in this process; returns its directory. */
export async function demoBaseModel(options: {
  steps?: number;
  onProgress?: (step: number, total: number, loss: number, eta: number | null) => void;
}): Promise<{ dir: string; cached: boolean }> {
  const result = await runPretraining(
    {
      corpus: join(DEMO_DATA_DIR, 'corpus.txt'),
      name: 'demo-base',
      ...(options.steps === undefined ? {} : { steps: options.steps }),
    },
    {
      onStep: (e) => options.onProgress?.(e.step, e.totalSteps, e.loss, e.etaSeconds),
    },
  );
  return { dir: result.model, cached: result.cached };
}
