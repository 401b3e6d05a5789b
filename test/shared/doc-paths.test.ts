/**
 * The design lives in docs/, and the code points at it: every mention of a design document
 * (ARCHITECTURE, METHOD, CLI, PERF-NOTES, STYLE) or of any `docs/….md` in the repository's
 * source, tests, scripts, benchmarks and Markdown must name a file that exists, and a section
 * quoted after it (`docs/METHOD.md "Loss"`) must be one of that file's headings. A clone has no
 * other copy of these documents, so a bare `METHOD.md` in a comment points nowhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Folders that hold no source of ours (dependencies, build output, generated data). */
const SKIP = new Set(['node_modules', '.git', 'out', 'dist', 'build', 'test-artifacts']);
const TEXT = new Set(['.ts', '.tsx', '.mjs', '.cjs', '.js', '.py', '.R', '.c', '.h', '.sh', '.md']);

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.plw')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (TEXT.has(extname(entry.name))) files.push(path);
  }
  return files;
}

/** A design document's name, with the folders written before it; then a quoted section, if any. */
const MENTION =
  /(?<![\w./-])((?:[\w.-]+\/)*(?:ARCHITECTURE|METHOD|CLI|PERF-NOTES|STYLE)\.md|(?:[\w.-]+\/)*docs\/[\w.-]+\.md)(?:,?\s*\(?"([^"\n]+)")?/g;

/** The headings of a Markdown file, without their `#`s. */
function headings(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').trim());
}

/**
 * Problems with the mentions in `text` of the file at `file`: a path that resolves neither from
 * the repository root nor (for Markdown) from the file's folder, or a section no heading of the
 * named file starts with.
 */
function docMentionProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  // A Markdown link's text is a label, not a path: only its target is checked.
  const checked = file.endsWith('.md')
    ? text.replace(/\[([^\]\n]*)\]\(/g, (_all, label: string) => `[${' '.repeat(label.length)}](`)
    : text;
  const lines = checked.split('\n');
  lines.forEach((line, i) => {
    for (const m of line.matchAll(MENTION)) {
      const [, path, section] = m;
      const where = `${relative(root, file)}:${i + 1}`;
      const candidates = [join(root, path!)];
      if (file.endsWith('.md')) candidates.push(join(dirname(file), path!));
      const target = candidates.find((c) => existsSync(c));
      if (target === undefined) {
        problems.push(`${where}: ${path} does not exist (the design documents are in docs/)`);
        continue;
      }
      if (section !== undefined) {
        const want = section.toLowerCase();
        if (!headings(target).some((h) => h.toLowerCase().startsWith(want)))
          problems.push(`${where}: ${path} has no section "${section}"`);
      }
    }
  });
  return problems;
}

describe('mentions of the design documents', () => {
  it('name files in docs/ that exist, and sections they have', () => {
    const files = ['src-main', 'src-shared', 'src-worker', 'src-renderer', 'test', 'bench']
      .concat(['scripts', 'native', 'resources', 'docs'])
      .filter((d) => existsSync(join(root, d)))
      .flatMap((d) => sourceFiles(join(root, d)))
      .concat([join(root, 'README.md')])
      // This file's own examples of bad mentions are meant to fail.
      .filter((f) => f !== import.meta.filename);
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((f) => docMentionProblems(f, readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('catches a bare name, a missing file and a missing section', () => {
    const file = join(root, 'src-main/x.ts');
    expect(docMentionProblems(file, '// see METHOD.md "Loss"')).toEqual([
      'src-main/x.ts:1: METHOD.md does not exist (the design documents are in docs/)',
    ]);
    expect(docMentionProblems(file, '/** docs/NOTES.md */')).toEqual([
      'src-main/x.ts:1: docs/NOTES.md does not exist (the design documents are in docs/)',
    ]);
    expect(docMentionProblems(file, '// docs/METHOD.md, "No such part"')).toEqual([
      'src-main/x.ts:1: docs/METHOD.md has no section "No such part"',
    ]);
    expect(docMentionProblems(file, '// (docs/METHOD.md "Loss"), docs/CLI.md')).toEqual([]);
    // Inside docs/, Markdown links name their neighbours.
    expect(docMentionProblems(join(root, 'docs/X.md'), '[CLI.md](CLI.md)')).toEqual([]);
    expect(docMentionProblems(join(root, 'README.md'), '[CLI.md](docs/CLI.md)')).toEqual([]);
    expect(docMentionProblems(join(root, 'README.md'), '[CLI.md](CLI.md)')).toHaveLength(1);
  });
});
