import { describe, expect, it } from 'vitest';
import { PRETRAIN_DEFAULTS } from '../../src-worker/train/pretrain';
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

  it('plw pretrain and plw demo default to one set of demo pre-training settings', () => {
    // The app's demo asks `plw pretrain` with no settings, `plw demo` builds in-process: both
    // must land on the same cached model.
    const pretrain = plw(['pretrain', '--help']).stdout.replace(/\s+/g, ' ');
    const d = PRETRAIN_DEFAULTS;
    expect(pretrain).toContain(`model preset (default: "${d.preset}")`);
    expect(pretrain).toContain(`optimizer steps (default: ${d.steps})`);
    expect(pretrain).toContain(`training window (default: ${d.seqLen})`);
    expect(pretrain).toContain(`windows per step (default: ${d.batchSize})`);
    expect(pretrain).toContain(`forward pass (default: ${d.microBatchSize})`);
    expect(pretrain).toContain(`warmup) (default: ${d.lr})`);
    const demo = plw(['demo', '--help']).stdout.replace(/\s+/g, ' ');
    expect(demo).toContain(`pre-training steps of the base model (default ${d.steps})`);
  });
});
