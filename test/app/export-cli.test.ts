import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plw } from '../helpers/cli';
import { workspaceWithScores } from './helpers';

describe('plw export', () => {
  let dir: string;
  let db: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plw-export-'));
    db = join(dir, 'w.db');
    workspaceWithScores(db);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the results table as CSV, one row per cell and benchmark', () => {
    const out = join(dir, 'results.csv');
    const r = plw(['export', '--db', db, '--format', 'csv', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/plw/i);
    expect(lines[0]).toMatch(/benchmark/i);
    expect(lines).toHaveLength(1 + 2 * 4 * 2);
    expect(lines.some((l) => l.includes('short') && l.includes('demo_gen'))).toBe(true);
  });

  it('adds the analysis table per dataset in md, tex and json', () => {
    const md = plw(['export', '--db', db, '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('## Analysis');
    expect(md.stdout).toMatch(/long/);
    const tex = plw(['export', '--db', db, '--format', 'tex']);
    expect(tex.stdout).toContain('\\toprule');
    const json = JSON.parse(plw(['export', '--db', db, '--format', 'json']).stdout) as {
      results: unknown[];
      analysis: Record<string, unknown>[];
    };
    expect(json.results).toHaveLength(16);
    expect(json.analysis).toHaveLength(2);
  });

  it('exits 2 naming the problem for a missing workspace or a bad format', () => {
    const missing = plw(['export', '--db', join(dir, 'nope.db'), '--format', 'csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.db');
    const bad = plw(['export', '--db', db, '--format', 'xlsx']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/csv, md, tex, json/);
  });
});
