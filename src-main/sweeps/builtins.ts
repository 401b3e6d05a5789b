import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_DATASETS, DEMO_TASKS, MODEL_PRESETS } from '../../src-shared/catalogue';
import type { Builtins } from './load';

/**
 * resources/ of the app: the nearest folder above this module holding `resources/demo`, so it
 * is found from the TypeScript source (CLI, tests) and from the bundled Electron main alike.
 */
export function resourcesDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'demo'))) return join(dir, 'resources');
    if (dirname(dir) === dir) throw new Error(`no resources/demo folder above ${from}`);
  }
}

/** Names a sweep may use without a path, from the catalogue of src-shared: no worker code. */
export function appBuiltins(): Builtins {
  const demo = join(resourcesDir(), 'demo');
  return {
    models: MODEL_PRESETS.map((p) => p.name),
    datasets: Object.fromEntries(DEMO_DATASETS.map((d) => [d.name, join(demo, d.file)])),
    tasks: DEMO_TASKS.map((t) => t.name),
  };
}
