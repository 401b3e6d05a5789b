/**
 * The built-in demo: the sweep of resources/demo/demo-sweep.json on the demo base model, a
 * from-scratch `tiny-byte` model pre-trained on the demo corpus (cached after the first run).
 * `demo-base` in the sweep file stands for that model's directory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesDir } from '../sweeps/builtins';

// No worker code here: the Electron shell reads this module (prepare.ts).
export const DEMO_SWEEP_FILE = join(resourcesDir(), 'demo/demo-sweep.json');
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
