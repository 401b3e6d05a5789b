import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BleuScore } from '../../src-shared/bleu';
import { plw } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/paths';

interface CorpusCase {
  name: string;
  hypotheses: string[];
  references: string[][];
  expected: BleuScore;
}

// sacreBLEU 2.6.0 values: test/reference/sacrebleu/make_fixtures.py.
const corpus = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'test/reference/sacrebleu/fixtures.json'), 'utf8')) as {
    corpus: CorpusCase[];
  }
).corpus;

function writeLines(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

describe('plw bleu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plw-bleu-'));

  it('prints the JSON of docs/CLI.md "Metrics and results" with sacreBLEU figures, for one and for two reference files', () => {
    for (const name of ['small corpus', 'two reference streams']) {
      const c = corpus.find((x) => x.name === name);
      if (!c) throw new Error(`fixture ${name} missing`);
      const hyp = writeLines(dir, 'hyp.txt', c.hypotheses);
      const refs = c.references.map((r, k) => writeLines(dir, `ref${k}.txt`, r));
      const r = plw(['bleu', '--hyp', hyp, '--ref', ...refs, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as BleuScore;
      expect(Object.keys(out).sort()).toEqual(['bp', 'precisions', 'refLen', 'score', 'sysLen']);
      expect(out.score).toBeCloseTo(c.expected.score, 9);
      expect(out.refLen).toBe(c.expected.refLen);
    }
  });

  it('prints a sacreBLEU-style line without --json', () => {
    const hyp = writeLines(dir, 'h.txt', ['a b c d e']);
    const ref = writeLines(dir, 'r.txt', ['a b c d e']);
    const r = plw(['bleu', '--hyp', hyp, '--ref', ref]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      'BLEU = 100.00 100.0/100.0/100.0/100.0 (BP = 1.000 ratio = 1.000 hyp_len = 5 ref_len = 5)',
    );
  });

  it('exits 2 naming both files when the line counts differ', () => {
    const hyp = writeLines(dir, 'h3.txt', ['a', 'b', 'c']);
    const ref = writeLines(dir, 'r2.txt', ['a', 'b']);
    const r = plw(['bleu', '--hyp', hyp, '--ref', ref, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(ref);
    expect(r.stderr).toContain(hyp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 naming a missing file', () => {
    const r = plw(['bleu', '--hyp', join(dir, 'nope.txt'), '--ref', join(dir, 'r2.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.txt');
  });
});
