/**
 * The cells table has one owner: every SQL statement on it lives in src-main/sweeps/ (the
 * SweepRepository, its state machine and CellProgress), so a change to a cell's columns or
 * states is made in one folder. The schema itself (store/migrations.ts) is the one exception.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
/** The project writes SQL keywords in capitals; prose ("expanded into cells") does not match. */
const SQL_ON_CELLS = /\b(?:FROM|UPDATE|INTO|JOIN)\s+cells\b/;
const OWNER = 'src-main/sweeps/';
const SCHEMA = 'src-main/store/migrations.ts';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|tsx)$/.test(e.name) ? [rel] : [];
  });
}

describe('SQL on the cells table', () => {
  it('is written only in src-main/sweeps/', () => {
    const files = ['src-main', 'src-worker', 'src-shared', 'src-renderer'].flatMap(sources);
    const outside = files.filter(
      (f) =>
        !f.startsWith(OWNER) &&
        f !== SCHEMA &&
        SQL_ON_CELLS.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(outside.map((f) => relative(ROOT, join(ROOT, f)))).toEqual([]);
    // The rule has something to hold: the owner folder does query the table.
    const owned = files.filter(
      (f) => f.startsWith(OWNER) && SQL_ON_CELLS.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(owned).toEqual(
      expect.arrayContaining(['src-main/sweeps/repository.ts', 'src-main/sweeps/cell-states.ts']),
    );
  });
});
