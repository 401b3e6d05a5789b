/**
 * Whether this machine's workers can run their matrix products in OpenBLAS: the plw-blas addon
 * (native/plw-blas) is built when `npm ci` found libopenblas-dev. Read in the main process by
 * the file's presence alone (loading it is the worker's job, src-worker/backend/blas.ts), so the
 * home page can say before any cell runs that training will be slower, and how to fix it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The fix, in the commands a user runs from the repository. */
export const BLAS_FIX =
  'install OpenBLAS and rebuild the addon (sudo apt-get install libopenblas-dev, then npm rebuild plw-blas), or start the app with bash scripts/setup-and-start.sh, which does both';

/**
 * Null when the addon is built; otherwise why not and how to fix it. `packageDir` is the addon's
 * package folder (default: where `plw-blas` resolves from here).
 */
export function blasAddonProblem(packageDir?: string): string | null {
  let dir = packageDir;
  if (dir === undefined) {
    try {
      dir = dirname(createRequire(import.meta.url).resolve('plw-blas/package.json'));
    } catch {
      return `the plw-blas addon is not installed (npm ci installs it); ${BLAS_FIX}`;
    }
  }
  if (existsSync(join(dir, 'build', 'Release', 'plw_blas.node'))) return null;
  return `the plw-blas addon is not built (libopenblas-dev was missing when npm ci ran): ${BLAS_FIX}`;
}
