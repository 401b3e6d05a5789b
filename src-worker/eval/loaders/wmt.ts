import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { InputError } from '../../../src-shared/errors';
import type { TranslationDoc } from '../docs';
import { RecordReader } from './fields';
import { readRecords, readText, splitLines } from './records';

/** A translation direction, ISO 639-1 codes: `{src: 'en', tgt: 'fr'}`. */
export interface LanguagePair {
  src: string;
  tgt: string;
}

/**
 * Segments of a WMT test file: sacreBLEU's "fake SGML" (`<seg id="…">text</seg>` lines, the
 * rest ignored) or plain text, one segment per line. SGML segments are cleaned as sacreBLEU's
 * `FakeSGMLDataset` does (trim, collapse whitespace); entities stay escaped, as there, for the
 * 13a tokenizer to undo.
 */
export async function readSegments(file: string): Promise<string[]> {
  const lines = splitLines(await readText(file));
  if (!/\.sgm$/i.test(file)) return lines;
  const segs: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('<seg ')) continue;
    segs.push(
      line
        .replace(/<seg.*?>(.*)<\/seg>.*?/, '$1')
        .trim()
        .replace(/\s+/g, ' '),
    );
  }
  if (segs.length === 0) throw new InputError({ file }, 'no <seg …> lines: not a WMT .sgm file');
  return segs;
}

/** Whether `name` is a file in language `lang`: `x.en`, `x.en.sgm`, `x.en.txt`, `x-src.en.sgm`. */
function inLanguage(name: string, lang: string): boolean {
  return new RegExp(`[._-]${lang}(\\.sgm|\\.txt)?$`, 'i').test(name);
}

/** Among candidates, those whose name says the role (`src`/`ref`), if any do. */
function preferRole(files: string[], role: 'src' | 'ref'): string[] {
  const named = files.filter((f) => basename(f).toLowerCase().includes(role));
  return named.length > 0 ? named : files;
}

function pickOne(dir: string, files: string[], what: string): string {
  if (files.length === 1) return files[0] as string;
  throw new InputError(
    { file: dir },
    files.length === 0
      ? `no ${what} file found`
      : `several ${what} files: ${files.map((f) => basename(f)).join(', ')}; pass one file`,
  );
}

/**
 * Source and reference files of a plain-text or SGML test set: PATH is the directory holding
 * them (e.g. `newstest2014-fren-src.en.sgm` and `newstest2014-fren-ref.fr.sgm`), or the source
 * file, whose reference is found beside it by language code. `testSet` (`newstest2014`)
 * narrows a directory that holds several years.
 */
export function resolveParallelFiles(
  path: string,
  pair: LanguagePair,
  testSet: string,
): { source: string; reference: string } {
  let dir = path;
  let sources: string[];
  try {
    if (statSync(path).isFile()) {
      dir = join(path, '..');
      sources = [path];
    } else {
      sources = [];
    }
  } catch {
    throw new InputError({ file: path }, 'file or directory not found');
  }
  let names = readdirSync(dir).map((n) => join(dir, n));
  const ofSet = names.filter((f) => basename(f).toLowerCase().includes(testSet));
  if (ofSet.length > 0) names = ofSet;
  if (sources.length === 0) {
    sources = preferRole(
      names.filter((f) => inLanguage(basename(f), pair.src)),
      'src',
    );
  }
  const source = pickOne(dir, sources, `${pair.src} source`);
  const stem = basename(source).replace(
    new RegExp(`(src)?[._-]?${pair.src}(\\.sgm|\\.txt)?$`, 'i'),
    '',
  );
  let refs = preferRole(
    names.filter((f) => f !== source && inLanguage(basename(f), pair.tgt)),
    'ref',
  );
  const sameStem = refs.filter((f) => basename(f).startsWith(stem));
  if (sameStem.length > 0) refs = sameStem;
  return { source, reference: pickOne(dir, refs, `${pair.tgt} reference`) };
}

/** Hugging Face's wmt14/wmt16 export: records `{translation: {en: …, fr: …}}`. */
async function loadHfTranslation(file: string, pair: LanguagePair): Promise<TranslationDoc[]> {
  return (await readRecords(file)).map((rec) => {
    const { r, obj } = RecordReader.of(file, rec);
    const t = r.object(obj.translation, 'translation');
    return {
      source: r.string(t, pair.src, `translation.${pair.src}`),
      reference: r.string(t, pair.tgt, `translation.${pair.tgt}`),
    };
  });
}

/**
 * A WMT test set from PATH: a Hugging Face jsonl/parquet export, or plain/SGML parallel files
 * (see `resolveParallelFiles`). Source and reference must have the same number of segments.
 */
export async function loadTranslation(
  path: string,
  pair: LanguagePair,
  testSet: string,
): Promise<TranslationDoc[]> {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.parquet' || ext === '.json')
    return loadHfTranslation(path, pair);
  const { source, reference } = resolveParallelFiles(path, pair, testSet);
  const src = await readSegments(source);
  const ref = await readSegments(reference);
  if (src.length !== ref.length) {
    throw new InputError(
      { file: reference },
      `has ${ref.length} segments but the source ${source} has ${src.length}`,
    );
  }
  return src.map((s, i) => ({ source: s, reference: ref[i] as string }));
}
