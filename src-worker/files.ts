/**
 * The file checks of remote workers, and the hash the app records for them: one implementation
 * for both sides (the app hashes through it in `plw sweep run`, a worker checks through it in
 * src-worker/refs.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PlwError } from '../src-shared/errors';

const cache = new Map<string, { stamp: string; sha256: string }>();

/**
 * sha256 of a file, or of a model directory: the hash of its sorted `name sha256` lines (every
 * file, recursively). Cached per path while sizes and modification times are unchanged.
 */
export function sha256OfPath(path: string): string {
  const files = listFiles(path);
  const stamp = files
    .map((f) => {
      const s = statSync(join(path, f));
      return `${f}:${s.size}:${s.mtimeMs}`;
    })
    .join('|');
  const hit = cache.get(path);
  if (hit !== undefined && hit.stamp === stamp) return hit.sha256;
  let sha: string;
  if (statSync(path).isFile()) {
    sha = hashFile(path);
  } else {
    const lines = files.map((f) => `${f} ${hashFile(join(path, f))}\n`).join('');
    sha = createHash('sha256').update(lines).digest('hex');
  }
  cache.set(path, { stamp, sha256: sha });
  return sha;
}

function hashFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Relative names of every file under `path` ('' for a file), sorted. */
function listFiles(path: string): string[] {
  if (statSync(path).isFile()) return [''];
  const out: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) walk(join(dir, e.name), rel);
      else if (e.isFile()) out.push(rel);
    }
  };
  walk(path, '');
  return out.sort();
}

/**
 * The folders a worker may read and write: each made absolute and resolved through symlinks
 * (a root that does not exist yet is kept as given).
 */
export function allowRoots(roots: readonly string[]): string[] {
  return roots.map((r) => {
    const abs = resolve(r);
    return existsSync(abs) ? realpathSync(abs) : abs;
  });
}

/** True when `path` (resolved through symlinks) lies inside one of `roots`. */
export function isAllowed(path: string, roots: readonly string[]): boolean {
  if (!isAbsolute(path)) return false;
  let real = resolve(path);
  try {
    real = realpathSync(real);
  } catch {
    // Missing: judged by its name; the caller reports it missing.
  }
  return roots.some((root) => {
    const rel = relative(root, real);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  });
}

/**
 * Checks one file a cell names before the worker runs it: inside the allowed roots, present, and
 * with the sha256 the app recorded. The message names the worker, the path and the hash.
 */
export function checkSharedFile(
  worker: string,
  path: string,
  expected: string,
  /** null: any path (the app's own host). */
  roots: readonly string[] | null,
): void {
  if (roots !== null && !isAllowed(path, roots)) {
    throw new PlwError(
      'bad_input',
      `worker ${worker}: refused ${path}: outside the folders it may read (--allow ${roots.join(', ')})`,
    );
  }
  if (!existsSync(path)) {
    throw new PlwError(
      'bad_input',
      `worker ${worker}: ${path} is missing on this host (expected sha256 ${expected})`,
    );
  }
  const actual = sha256OfPath(path);
  if (actual !== expected) {
    throw new PlwError(
      'bad_input',
      `worker ${worker}: ${path} differs from the app's copy (sha256 ${actual}, expected sha256 ${expected})`,
    );
  }
}
