import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../../src-shared/errors';

/** Where a benchmark's evaluation split and (for few-shot) training split live. */
export interface SplitFiles {
  /** One or more shards of the evaluation split, read in order. */
  eval: string[];
  /** Shards of the training split, or empty when none was found beside the data. */
  train: string[];
}

/** How a benchmark names its split files, most preferred first. */
export interface SplitNaming {
  /** Patterns matched against file names inside a directory, e.g. /^test[-.]/i, /-Test\./. */
  eval: RegExp[];
  train: RegExp[];
  /** Words that replace the split word in a file name to find the training file beside it. */
  trainWords: string[];
}

const DATA_EXT = /\.(jsonl|json|parquet)$/i;
const SPLIT_WORD = /(validation|valid|dev|test)/i;

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Data files under `dir`, one level of sub-folders deep (Hugging Face's `config/split-*.parquet`). */
function listDataFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isFile() && DATA_EXT.test(entry.name)) out.push(p);
    else if (entry.isDirectory()) {
      for (const sub of readdirSync(p, { withFileTypes: true })) {
        if (sub.isFile() && DATA_EXT.test(sub.name)) out.push(join(p, sub.name));
      }
    }
  }
  return out.sort();
}

function firstMatching(files: readonly string[], patterns: readonly RegExp[]): string[] {
  for (const re of patterns) {
    const hit = files.filter((f) => re.test(basename(f)));
    if (hit.length > 0) return hit;
  }
  return [];
}

/** `Test` → `Train`, `test` → `train`, `TEST` → `TRAIN`: keep the case of the word replaced. */
function sameCase(word: string, like: string): string {
  if (like === like.toUpperCase()) return word.toUpperCase();
  if (like[0] === like[0]?.toUpperCase()) return word[0]?.toUpperCase() + word.slice(1);
  return word;
}

/** The training file beside an evaluation file: its name with the split word replaced. */
function siblingTrain(file: string, words: readonly string[]): string[] {
  const name = basename(file);
  const m = SPLIT_WORD.exec(name);
  if (!m) return [];
  for (const word of words) {
    const candidate = join(dirname(file), name.replace(SPLIT_WORD, sameCase(word, m[0])));
    if (candidate !== file && existsSync(candidate)) return [candidate];
  }
  return [];
}

/**
 * Resolves `--data PATH` (a file, or a directory holding the published files) to split files.
 * @throws InputError when PATH does not exist or a directory holds no evaluation split.
 */
export function resolveSplits(path: string, naming: SplitNaming): SplitFiles {
  if (!existsSync(path)) throw new InputError({ file: path }, 'file or directory not found');
  if (isFile(path)) return { eval: [path], train: siblingTrain(path, naming.trainWords) };
  const files = listDataFiles(path);
  const evalFiles = firstMatching(files, naming.eval);
  if (evalFiles.length === 0) {
    throw new InputError(
      { file: path },
      `no evaluation split found (looked for ${naming.eval.map(String).join(', ')})`,
    );
  }
  return { eval: evalFiles, train: firstMatching(files, naming.train) };
}
