/**
 * Resolves a CellSpec's references on the worker's own host (src-shared/protocol.ts FileRef,
 * ArtifactRef): built-in names against this installation, shared files against the sha256 the
 * app recorded and the folders this worker may read, the checkpoint folder under its artifacts
 * root. A reference that does not resolve fails the cell with one message naming the worker,
 * the path and the expected sha256.
 */
import { join, resolve } from 'node:path';
import { PlwError } from '../src-shared/errors';
import type { CellSpec, FileRef, ResolvedCell, WorkerSite } from '../src-shared/protocol';
import { checkSharedFile } from './files';

export function resolveCell(spec: CellSpec, site: WorkerSite): ResolvedCell {
  const { model, dataset, benchmarks, checkpoint, ...rest } = spec;
  return {
    ...rest,
    model: resolveFile(model, 'model', site),
    dataset: resolveFile(dataset, 'dataset', site),
    benchmarks: benchmarks.map((b) => ({
      task: b.task,
      ...(b.data === undefined ? {} : { data: resolveFile(b.data, 'benchmark', site) }),
      ...(b.shots === undefined ? {} : { shots: b.shots }),
      ...(b.limit === undefined ? {} : { limit: b.limit }),
      ...(b.fewshotSampler === undefined ? {} : { fewshotSampler: b.fewshotSampler }),
    })),
    checkpointDir: resolveArtifact(checkpoint.artifact, site),
  };
}

/** A preset name, or an absolute path that passed the site's checks. */
function resolveFile(
  ref: FileRef,
  kind: 'model' | 'dataset' | 'benchmark',
  site: WorkerSite,
): string {
  if ('builtin' in ref) {
    if (kind === 'model' && (site.models === null || site.models.includes(ref.builtin))) {
      return ref.builtin;
    }
    const own = Object.hasOwn(site.datasets, ref.builtin) ? site.datasets[ref.builtin] : undefined;
    if (kind !== 'model' && own !== undefined) return own;
    throw new PlwError(
      'bad_input',
      `worker ${site.name}: no built-in ${kind} named "${ref.builtin}"`,
    );
  }
  if (ref.sha256 !== undefined) {
    checkSharedFile(site.name, ref.path, ref.sha256, site.allow);
  } else if (site.allow !== null) {
    // A remote worker reads only what the app hashed: an unhashed path is the app's own.
    throw new PlwError('bad_input', `worker ${site.name}: ${ref.path} comes without its sha256`);
  }
  return ref.path;
}

/** `<artifacts>/<artifact>`; the reference cannot climb out of the artifacts root. */
function resolveArtifact(artifact: string, site: WorkerSite): string {
  const root = resolve(site.artifacts);
  const segments = artifact.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
    throw new PlwError(
      'bad_input',
      `worker ${site.name}: refused artifact "${artifact}": outside its artifacts folder ${root}`,
    );
  }
  return join(root, ...segments);
}
