import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { InputError } from '../../../src-shared/errors';

/** One record of a benchmark file and where it came from, for error messages. */
export interface SourcedRecord {
  value: unknown;
  /** `line 12` (JSONL), `record 3` (JSON array, parquet row), already worded. */
  where: string;
}

/** The whole text of a file; a missing or unreadable file is the user's input problem. */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      { file },
      code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? err})`,
    );
  }
}

/** Lines of a text file without line terminators; the newline ending the file opens no line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** JSON Lines: blank lines are skipped, a line that is not JSON names its line number. */
export function parseJsonl(text: string, file: string): SourcedRecord[] {
  const out: SourcedRecord[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push({ value: JSON.parse(line) as unknown, where: `line ${i + 1}` });
    } catch (err) {
      throw new InputError(
        { file, record: `line ${i + 1}` },
        `not valid JSON (${(err as Error).message})`,
      );
    }
  });
  return out;
}

/** A JSON array of records (or a JSONL file that happens to be named .json). */
export function parseJsonArray(text: string, file: string): SourcedRecord[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!body.trimStart().startsWith('[')) return parseJsonl(body, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new InputError({ file }, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new InputError({ file }, 'expected a JSON array of records');
  return parsed.map((value: unknown, i) => ({ value, where: `record ${i}` }));
}

/**
 * Rows of a parquet file (Hugging Face's dataset export format) as plain objects, read with
 * hyparquet: pure JavaScript, so no native build stands between a user and their benchmark.
 */
export async function readParquet(file: string): Promise<SourcedRecord[]> {
  let rows: Record<string, unknown>[];
  try {
    const buffer = await asyncBufferFromFile(file);
    rows = await parquetReadObjects({ file: buffer });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError({ file }, 'file not found');
    throw new InputError({ file }, `not a readable parquet file (${(err as Error).message})`);
  }
  return rows.map((value, i) => ({ value, where: `record ${i}` }));
}

/** Records of a `.jsonl`, `.json` or `.parquet` file, chosen by extension. */
export async function readRecords(file: string): Promise<SourcedRecord[]> {
  const ext = extname(file).toLowerCase();
  if (ext === '.parquet') return readParquet(file);
  const text = await readText(file);
  return ext === '.json' ? parseJsonArray(text, file) : parseJsonl(text, file);
}
