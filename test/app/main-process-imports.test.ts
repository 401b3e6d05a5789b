import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';

/** Every module `entry` loads, following relative imports (static and dynamic) transitively. */
function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'/gms),
      ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1] as string);
    for (const spec of specs) {
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const hit = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base].find(
        (p) => existsSync(p) && p.endsWith('.ts'),
      );
      if (hit !== undefined) stack.push(hit);
    }
  }
  return { files: [...files].map((f) => relative(REPO_ROOT, f)).sort(), packages: [...packages] };
}

describe('the Electron main process', () => {
  it('loads no worker code and no tfjs: built-ins come from src-shared/catalogue', () => {
    const { files, packages } = importGraph(join(REPO_ROOT, 'src-main/electron/main.ts'));
    expect(files).toContain('src-shared/catalogue.ts');
    expect(files).toContain('src-main/sweeps/builtins.ts');
    // The demo base model pre-trains in a worker of the host (prepare.ts), not in this process.
    expect(files).toContain('src-main/demo/prepare.ts');
    expect(files.filter((f) => f.startsWith('src-worker/'))).toEqual([]);
    expect(packages.filter((p) => p.startsWith('@tensorflow/'))).toEqual([]);
  });
});
