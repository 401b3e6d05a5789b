/**
 * The built-in demo: the sweep of resources/demo/demo-sweep.json on the demo base model, a
 * from-scratch `tiny-byte` model pre-trained on the demo corpus (cached after the first run).
 * `demo-base` in the sweep file stands for that model's directory.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_DATA_DIR } from '../../../src-worker/data/demo/index';
import { runPretraining } from '../../../src-worker/train/pretrain';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_SWEEP_FILE = join(ROOT, 'resources/demo/demo-sweep.json');
export const DEMO_BASE = 'demo-base';

export interface DemoOverrides {
  steps?: number;
  plw?: number[];
}

/** The demo sweep definition with `demo-base` replaced by `modelDir`. */
export function demoDefinition(
  modelDir: string,
  overrides: DemoOverrides = {},
): Record<string, unknown> {
  const def = JSON.parse(readFileSync(DEMO_SWEEP_FILE, 'utf8')) as Record<string, unknown> & {
    models: string[];
    train: Record<string, unknown>;
  };
  def.models = def.models.map((m) => (m === DEMO_BASE ? modelDir : m));
  if (overrides.steps !== undefined) def.train = { ...def.train, steps: overrides.steps };
  if (overrides.plw !== undefined) def.plw = overrides.plw;
  return def;
}

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
