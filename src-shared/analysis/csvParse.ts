import { InputError } from '../errors';

/** One parsed CSV record with the 1-based line it starts on (for error messages). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV text per RFC 4180: comma-separated fields, double-quoted fields may hold commas,
 * line breaks and doubled quotes (""), CRLF or LF line ends, an optional UTF-8 BOM. Blank
 * lines are skipped. Pure (takes the text), so the app and the CLI share it.
 * @throws InputError naming the file and line for an unterminated quote or text after a
 *   closing quote.
 * @example parseCsv('a,b\n1,"x, y"\n', 'f.csv') // [{line:1,fields:['a','b']},{line:2,fields:['1','x, y']}]
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let recordLine = 1;
  // Whether the current record has any character yet (a blank line has none) and whether the
  // parser stands at the start of a field (where a quote opens a quoted field).
  let hasContent = false;
  let atFieldStart = true;
  const endRecord = () => {
    fields.push(field);
    if (hasContent) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    hasContent = false;
    atFieldStart = true;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && atFieldStart) {
      // Quoted field: read to the closing quote.
      hasContent = true;
      atFieldStart = false;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new InputError(
            { file, record: `line ${startLine}` },
            'unterminated quoted field (a " without its closing ")',
          );
        }
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new InputError(
          { file, record: `line ${line}`, field: `column ${fields.length + 1}` },
          'unexpected text after a closing quote',
        );
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      hasContent = true;
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += ch;
    hasContent = true;
    atFieldStart = false;
    i++;
  }
  if (hasContent) endRecord();
  return records;
}
