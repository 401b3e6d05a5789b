import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plw, plwAsync } from '../helpers/cli';

describe('plw CLI', () => {
  it('prints help and exits 0', () => {
    const r = plw(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: plw');
  });

  it('exits 2 on an unknown command, with an error on stderr', () => {
    const r = plw(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/);
  });

  it('rejects a bad --plw list at once, before the demo pre-trains anything', () => {
    const r = plw(['demo', '--plw', '0,abc', '--db', '/nonexistent/never-created.db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--plw item 2: expected a number');
    const out = plw(['demo', '--plw', '0,1.5', '--db', '/nonexistent/never-created.db']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--plw item 2: 1.5 is outside [0, 1]');
    expect(r.stderr + out.stderr).not.toMatch(/pretrain/);
  });

  it('plw pretrain --name demo-base and plw demo find the same cached model', async () => {
    // The app's demo pre-trains through `plw pretrain`, `plw demo` in its own process: both must
    // land on one cached model. 2 steps keep it quick; the demo then stops at its workspace (its
    // --db sits under a plain file), after it has looked the base model up.
    const dir = mkdtempSync(join(tmpdir(), 'plw-pretrain-'));
    try {
      const cache = join(dir, 'cache');
      const built = await plwAsync([
        'pretrain',
        '--name',
        'demo-base',
        '--steps',
        '2',
        '--cache-dir',
        cache,
        '--json',
      ]);
      expect(built.code, built.stderr).toBe(0);
      const first = JSON.parse(built.stdout) as { model: string; cached: boolean; key: string };
      expect(first.cached).toBe(false);
      expect(first.model).toBe(join(cache, 'pretrained', first.key, 'demo-base'));
      writeFileSync(join(dir, 'not-a-folder'), '');
      const demo = await plwAsync(
        ['demo', '--pretrain-steps', '2', '--db', join(dir, 'not-a-folder', 'ws.db')],
        { env: { PLW_CACHE_DIR: cache } },
      );
      expect(demo.stderr).toContain(`cached demo base model: ${first.model}`);
      expect(demo.code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
