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
});
