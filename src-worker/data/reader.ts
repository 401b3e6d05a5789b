import { createReadStream, type ReadStream } from 'node:fs';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import type { InstructionRecord } from '../../src-shared/alpaca';
import { InputError, type InputLocation } from '../../src-shared/errors';
import { findJsonSyntaxError, lineColumn, pathAtEnd, type JsonFrame } from './json-locate';
import { describeType, toInstructionRecord } from './record';
import { invalidUtf8Offset } from './utf8';

/**
 * Instruction datasets: a JSON array (parsed whole, like Alpaca's own files) or JSONL (one
 * record per line, streamed so memory stays flat however large the file). Every problem is an
 * InputError naming the file, the record (`record N`: 0-based array index; `line N`: 1-based
 * JSONL line) and the field, which the CLI turns into exit code 2 and one stderr line.
 */
export type DatasetFormat = 'json' | 'jsonl';

export interface OpenDataset {
  format: DatasetFormat;
  records: AsyncIterable<InstructionRecord>;
}

const BOM = [0xef, 0xbb, 0xbf] as const;
/** A JSONL file whose first line fails is re-read whole up to this size, to spot a lone object. */
const WHOLE_FILE_CHECK_BYTES = 64 * 1024 * 1024;

function hasBom(bytes: Uint8Array): boolean {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/** fs errors (no such file, a directory...) are input errors too: exit 2, naming the file. */
function fileError(file: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory, expected a file'
        : code === 'EACCES'
          ? 'permission denied'
          : err instanceof Error
            ? err.message
            : String(err);
  return new InputError({ file }, `cannot read the dataset: ${why}`);
}

function emptyFileError(file: string): InputError {
  return new InputError(
    { file, record: 'line 1' },
    'the file is empty: expected a JSON array or JSONL of {instruction, input, output} records',
  );
}

/**
 * JSON array or JSONL: the first character after an optional BOM and whitespace decides
 * (`[` → array). Reads only as far as that character.
 * @throws InputError when the file cannot be read or holds only whitespace.
 */
export async function detectFormat(file: string): Promise<DatasetFormat> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw fileError(file, err);
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    for (let pos = 0; ;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buf, 0, buf.length, pos));
      } catch (err) {
        throw fileError(file, err);
      }
      if (bytesRead === 0) throw emptyFileError(file);
      const from = pos === 0 && bytesRead >= 3 && hasBom(buf) ? 3 : 0;
      for (let i = from; i < bytesRead; i++) {
        const b = buf[i] as number;
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
        return b === 0x5b ? 'json' : 'jsonl';
      }
      pos += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Opens a dataset: its format and its records, validated as they are read. */
export async function openDataset(file: string): Promise<OpenDataset> {
  const format = await detectFormat(file);
  return { format, records: format === 'json' ? arrayRecords(file) : readJsonl(file) };
}

/** All records of a dataset in memory (for training sets that are shuffled anyway). */
export async function readDataset(
  file: string,
): Promise<{ format: DatasetFormat; records: InstructionRecord[] }> {
  const { format, records } = await openDataset(file);
  const all: InstructionRecord[] = [];
  for await (const r of records) all.push(r);
  return { format, records: all };
}

async function* arrayRecords(file: string): AsyncGenerator<InstructionRecord> {
  yield* await readJsonArray(file);
}

/** Record and field named by a JSON container path, for array files (`[ {...}, ... ]`). */
function arrayLocation(file: string, path: JsonFrame[]): InputLocation {
  const [top, rec] = path;
  const where: InputLocation = { file };
  if (top?.kind === 'array') where.record = `record ${top.index}`;
  if (rec?.kind === 'object' && rec.key !== undefined) where.field = rec.key;
  return where;
}

/** Record and field named by a JSON container path, for one JSONL line. */
function lineLocation(file: string, line: number, path: JsonFrame[]): InputLocation {
  const [top] = path;
  const where: InputLocation = { file, record: `line ${line}` };
  if (top?.kind === 'object' && top.key !== undefined) where.field = top.key;
  return where;
}

async function readJsonArray(file: string): Promise<InstructionRecord[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw fileError(file, err);
  }
  const skip = hasBom(bytes) ? 3 : 0;
  const body = bytes.subarray(skip);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    const bad = invalidUtf8Offset(body);
    const prefix = decoder.decode(body.subarray(0, bad));
    const { line } = lineColumn(prefix, prefix.length);
    throw new InputError(
      arrayLocation(file, pathAtEnd(prefix)),
      `invalid UTF-8 at byte offset ${bad + skip} (line ${line})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const found = findJsonSyntaxError(text);
    if (found === null) throw new InputError({ file }, `not valid JSON: ${(err as Error).message}`);
    const { line, column } = lineColumn(text, found.offset);
    throw new InputError(
      arrayLocation(file, found.path),
      `not valid JSON at line ${line}, column ${column}: ${found.problem}`,
    );
  }
  if (!Array.isArray(value)) {
    throw new InputError(
      { file },
      `expected a JSON array of records at the top level, got ${describeType(value)}`,
    );
  }
  if (value.length === 0) {
    throw new InputError({ file, record: 'record 0' }, 'missing: the JSON array has no records');
  }
  return value.map((v: unknown, i) => toInstructionRecord(v, { file, record: `record ${i}` }));
}

/**
 * JSONL, streamed: bytes are split on `\n` before decoding so that an invalid UTF-8 byte can
 * be named by line and file offset, and only one line is held at a time. CRLF endings and a
 * BOM on line 1 are tolerated; blank lines are skipped.
 */
async function* readJsonl(file: string): AsyncGenerator<InstructionRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lineNo = 0;
  let lineStart = 0;
  let count = 0;
  let pending: Buffer[] = [];

  const parseLine = async (raw: Uint8Array, lastWithoutNewline: boolean) => {
    lineNo++;
    const skip = lineNo === 1 && hasBom(raw) ? 3 : 0;
    const bytes = raw.subarray(skip);
    const offset = lineStart + skip;
    lineStart += raw.length + 1;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      const bad = invalidUtf8Offset(bytes);
      const prefix = decoder.decode(bytes.subarray(0, bad));
      throw new InputError(
        lineLocation(file, lineNo, pathAtEnd(prefix)),
        `invalid UTF-8 at byte offset ${offset + bad} (byte ${bad + 1} of the line)`,
      );
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (count === 0) await rejectLoneDocument(file);
      const found = findJsonSyntaxError(text);
      if (found === null) {
        throw new InputError(
          { file, record: `line ${lineNo}` },
          `not valid JSON: ${(err as Error).message}`,
        );
      }
      const truncated = lastWithoutNewline && found.offset >= text.length;
      const problem = truncated
        ? 'truncated last line: the file ends in the middle of a record'
        : `not valid JSON at column ${lineColumn(text, found.offset).column}: ${found.problem}`;
      throw new InputError(lineLocation(file, lineNo, found.path), problem);
    }
    count++;
    return toInstructionRecord(value, { file, record: `line ${lineNo}` });
  };

  let stream: ReadStream | undefined;
  try {
    stream = createReadStream(file, { highWaterMark: 1 << 16 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl);
        const line = pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        start = nl + 1;
        const record = await parseLine(line, false);
        if (record !== null) yield record;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw fileError(file, err);
  } finally {
    stream?.destroy();
  }
  if (pending.length > 0) {
    const record = await parseLine(Buffer.concat(pending), true);
    if (record !== null) yield record;
  }
  if (count === 0) throw emptyFileError(file);
}

/**
 * A file that does not start with `[` is read as JSONL; when its first line is not JSON, it
 * may be one pretty-printed object or value: say that, instead of a confusing syntax error.
 */
async function rejectLoneDocument(file: string): Promise<void> {
  const { size } = await stat(file);
  if (size > WHOLE_FILE_CHECK_BYTES) return;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file)));
  } catch {
    return;
  }
  throw new InputError(
    { file, record: 'line 1' },
    `wrong top-level shape: the file is a single JSON ${describeType(value)} spanning several lines; ` +
      'expected a JSON array of records or JSONL (one record object per line)',
  );
}
