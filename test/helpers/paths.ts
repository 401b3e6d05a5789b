import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The real data beside the repository (`../shared/data`, CI has it); `PLW_SHARED_DATA`
 * overrides. Tests read it in place and never copy it into the repository.
 */
export const SHARED_DATA = process.env.PLW_SHARED_DATA ?? resolve(REPO_ROOT, '../shared/data');

/** Path of a file under the shared data folder; throws a clear error when it is absent. */
export function sharedData(...parts: string[]): string {
  const p = join(SHARED_DATA, ...parts);
  if (!existsSync(p)) {
    throw new Error(
      `shared data file missing: ${p} (set PLW_SHARED_DATA to the shared/data folder)`,
    );
  }
  return p;
}
