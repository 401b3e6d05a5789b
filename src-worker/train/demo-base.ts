/**
 * The demo base model: `runPretraining` on the built-in demo corpus with the pre-training
 * defaults, kept in the cache under the folder name `demo-base`. `plw demo` builds it in its own
 * process, the app's shells in a worker (a `pretrain` job of src-shared/protocol.ts), and
 * `plw pretrain --name demo-base` finds the same cached model.
 */
import { join } from 'node:path';
import { DEMO_DATA_DIR } from '../data/demo/index';
import type { TrainCallbacks } from './loop';
import { runPretraining, type PretrainResult } from './pretrain';

/** The model's folder name in the cache (tables and the app show it). */
export const DEMO_BASE_NAME = 'demo-base';

export function pretrainDemoBase(
  options: { steps?: number; signal?: AbortSignal },
  callbacks: TrainCallbacks = {},
): Promise<PretrainResult> {
  return runPretraining(
    {
      corpus: join(DEMO_DATA_DIR, 'corpus.txt'),
      name: DEMO_BASE_NAME,
      ...(options.steps === undefined ? {} : { steps: options.steps }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    callbacks,
  );
}
