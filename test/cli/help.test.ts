import { describe, expect, it } from 'vitest';
import { plw } from '../helpers/cli';

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
});
