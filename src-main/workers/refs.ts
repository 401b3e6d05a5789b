/**
 * The references main puts in a CellSpec (src-shared/protocol.ts FileRef, ArtifactRef), for the
 * app's own workers and for workers on other hosts. Workers resolve them (src-worker/refs.ts).
 */
import { isAbsolute } from 'node:path';
import type {
  ArtifactRef,
  BenchmarkRef,
  CellSpec,
  FileRef,
  SharedFileRef,
} from '../../src-shared/protocol';
import type { Builtins } from '../sweeps/load';

/** A cell's model as the store holds it: a preset name, or the absolute path of its folder. */
export function localModel(model: string): FileRef {
  return isAbsolute(model) ? { path: model } : { builtin: model };
}

/** The cell's checkpoint folder among the app's own artifacts: `checkpoints/<cell>/` beside the database. */
export function localCheckpoint(cellId: number): ArtifactRef {
  return { artifact: String(cellId) };
}

/** The same folder for a worker on another host: `<--artifacts>/<workspace>/cell-<cell>/`. */
export function sharedCheckpoint(workspace: string, cellId: number): ArtifactRef {
  return { artifact: `${workspace}/cell-${cellId}` };
}

/** sha256 of a file or model folder (src-worker/files.ts sha256OfPath, or the same in a worker). */
export type HashPath = (path: string) => string | Promise<string>;

/**
 * A reference another host can check: a built-in name (a preset, or a demo dataset's file known
 * by its name), else the path with the sha256 the app computed.
 */
async function sharedRef(ref: FileRef, builtins: Builtins, hash: HashPath): Promise<SharedFileRef> {
  if ('builtin' in ref) return ref;
  for (const [name, file] of Object.entries(builtins.datasets)) {
    if (file === ref.path) return { builtin: name };
  }
  return { path: ref.path, sha256: ref.sha256 ?? (await hash(ref.path)) };
}

/** Every reference of `spec` made shareable (the model, dataset and benchmark files). */
export async function sharedRefs(
  spec: CellSpec,
  builtins: Builtins,
  hash: HashPath,
): Promise<{
  model: SharedFileRef;
  dataset: SharedFileRef;
  benchmarks: (Omit<BenchmarkRef, 'data'> & { data?: SharedFileRef })[];
}> {
  const share = (ref: FileRef) => sharedRef(ref, builtins, hash);
  return {
    model: await share(spec.model),
    dataset: await share(spec.dataset),
    benchmarks: await Promise.all(
      spec.benchmarks.map(async (b) => ({
        task: b.task,
        ...(b.data === undefined ? {} : { data: await share(b.data) }),
        ...(b.shots === undefined ? {} : { shots: b.shots }),
        ...(b.limit === undefined ? {} : { limit: b.limit }),
        ...(b.fewshotSampler === undefined ? {} : { fewshotSampler: b.fewshotSampler }),
      })),
    ),
  };
}
