import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blasAddonProblem } from '../../src-main/workers/blas-addon';

describe('the plw-blas addon check the home page shows', () => {
  it('says the addon is not built, and how to fix it, until its binary is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plw-blas-'));
    try {
      const problem = blasAddonProblem(dir);
      expect(problem).toMatch(/^the plw-blas addon is not built/);
      expect(problem).toContain('apt-get install libopenblas-dev, then npm rebuild plw-blas');
      expect(problem).toContain('bash scripts/setup-and-start.sh');
      mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
      writeFileSync(join(dir, 'build', 'Release', 'plw_blas.node'), '');
      expect(blasAddonProblem(dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the addon this checkout built (the test setup installs libopenblas-dev)', () => {
    expect(blasAddonProblem()).toBeNull();
  });
});
