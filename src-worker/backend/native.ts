import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export type NativePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

/**
 * Why a native package cannot load, found without importing it: importing a package whose
 * binding is absent still registers ~190 kernels (and warns about duplicates for the second
 * package) before it throws, so we look for the binding file first. Returns null when the
 * binding is present and an import is worth trying.
 */
export function nativeBindingProblem(pkg: NativePackage): string | null {
  let root: string;
  try {
    root = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return `${pkg} is not installed (it is an optional dependency)`;
  }
  const lib = join(root, 'lib');
  const found =
    existsSync(lib) &&
    readdirSync(lib, { withFileTypes: true }).some(
      (d) => d.isDirectory() && existsSync(join(lib, d.name, 'tfjs_binding.node')),
    );
  return found
    ? null
    : `${pkg} is installed but its native binding (lib/napi-v*/tfjs_binding.node) is absent`;
}

/**
 * Imports a native package, which registers the `tensorflow` backend. Throws with the
 * package's own message when the binding exists but cannot load (e.g. no CUDA libraries).
 */
export async function loadNative(pkg: NativePackage): Promise<void> {
  const problem = nativeBindingProblem(pkg);
  if (problem !== null) throw new Error(problem);
  await import(pkg);
}
