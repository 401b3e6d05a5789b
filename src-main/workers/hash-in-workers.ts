/**
 * sha256 of the files queue jobs name, computed in a worker process (src-worker/files.ts through
 * a `sha256` data job): a model folder can be gigabytes, which the app's main process must not
 * read. Each path is hashed once while its stamp (the sizes and times of it and its direct
 * entries) stays the same.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runDataJob, type WorkerHost } from './host';
import type { HashPath } from './refs';

function stamp(path: string): string {
  const s = statSync(path);
  const own = `${s.size}:${s.mtimeMs}`;
  if (!s.isDirectory()) return own;
  const entries = readdirSync(path, { withFileTypes: true })
    .map((e) => {
      const t = statSync(join(path, e.name));
      return `${e.name}:${t.size}:${t.mtimeMs}`;
    })
    .sort();
  return [own, ...entries].join('|');
}

export function hashInWorkers(host: WorkerHost): HashPath {
  const cache = new Map<string, { stamp: string; sha256: Promise<string> }>();
  return (path) => {
    const now = stamp(path);
    const hit = cache.get(path);
    if (hit !== undefined && hit.stamp === now) return hit.sha256;
    const sha256 = runDataJob(host, { kind: 'sha256', path }).then(
      (r) => (r as { sha256: string }).sha256,
    );
    cache.set(path, { stamp: now, sha256 });
    sha256.catch(() => cache.delete(path));
    return sha256;
  };
}
