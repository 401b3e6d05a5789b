/**
 * The demo base model: `runPretraining` on the built-in demo corpus with the pre-training
 * defaults, under the folder name `demo-base`. The repository ships it built
 * (resources/demo/demo-base/, made by scripts/build-demo-base.ts, its settings and commit in
 * its pretrain.json); it is used when its recorded key is the key of the settings asked for, and
 * rebuilt into the cache otherwise (a different step count, a changed corpus, preset or
 * default). `plw demo` builds it in its own process, the app's shells in a worker (a `pretrain`
 * job of src-shared/protocol.ts), and `plw pretrain --name demo-base` finds the same cached model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEIGHTS_FILE } from '../model/checkpoint';
import { DEMO_DATA_DIR } from '../data/demo/index';
import type { TrainCallbacks } from './loop';
import {
  PRETRAIN_RECORD,
  pretrainIdentity,
  runPretraining,
  type PretrainOptions,
  type PretrainResult,
} from './pretrain';

/** The model's folder name in the cache (tables and the app show it). */
export const DEMO_BASE_NAME = 'demo-base';

/** The demo base model as the repository ships it. */
export const SHIPPED_DEMO_BASE = join(DEMO_DATA_DIR, DEMO_BASE_NAME);

/** The pre-training request of the demo base model (defaults unless `steps` says otherwise). */
export function demoBaseRequest(options: { steps?: number } = {}): PretrainOptions {
  return {
    corpus: join(DEMO_DATA_DIR, 'corpus.txt'),
    name: DEMO_BASE_NAME,
    ...(options.steps === undefined ? {} : { steps: options.steps }),
  };
}

/** What the shipped model's pretrain.json records (pretrain.ts's record plus how it was made). */
export interface ShippedRecord {
  key: string;
  finalLoss: number | null;
  windows: number;
  commit?: string;
}

/**
 * The shipped demo base model when it is there and was made with the settings `options` ask for
 * (its recorded key equals theirs); null otherwise, with the reason in `why`.
 */
export function shippedDemoBase(
  options: { steps?: number; dir?: string } = {},
): { result: PretrainResult; why: null } | { result: null; why: string } {
  const dir = options.dir ?? SHIPPED_DEMO_BASE;
  const record = join(dir, PRETRAIN_RECORD);
  if (!existsSync(record) || !existsSync(join(dir, WEIGHTS_FILE)))
    return { result: null, why: `no shipped model in ${dir}` };
  const saved = JSON.parse(readFileSync(record, 'utf8')) as ShippedRecord;
  const { key, settings } = pretrainIdentity(demoBaseRequest(options));
  if (saved.key !== key)
    return {
      result: null,
      why: `the shipped model in ${dir} was made with other settings (key ${saved.key}, these are ${key})`,
    };
  return {
    result: {
      model: dir,
      cached: true,
      key,
      steps: settings.steps,
      finalLoss: saved.finalLoss ?? null,
      windows: saved.windows ?? 0,
    },
    why: null,
  };
}

/**
 * The demo base model's directory: the shipped one when its settings match, else the cached or
 * newly pre-trained one (`onLog` hears why the shipped one was not used).
 */
export async function pretrainDemoBase(
  options: { steps?: number; signal?: AbortSignal; onLog?: (line: string) => void },
  callbacks: TrainCallbacks = {},
): Promise<PretrainResult> {
  const shipped = shippedDemoBase(options.steps === undefined ? {} : { steps: options.steps });
  if (shipped.result !== null) return shipped.result;
  options.onLog?.(`${shipped.why}: pre-training it`);
  return runPretraining(
    {
      ...demoBaseRequest(options.steps === undefined ? {} : { steps: options.steps }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    callbacks,
  );
}
