import type { Table, TableCell } from './table';

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: TableCell): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The table as CSV: a header of column keys, numbers at full precision, LF line ends.
 * @example toCsv({ columns: [{ key: 'a', label: 'A' }], rows: [{ a: 'x,y' }] }) // 'a\n"x,y"\n'
 */
export function toCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvField(c.key)).join(',')];
  for (const row of table.rows) {
    lines.push(table.columns.map((c) => csvField(row[c.key] ?? null)).join(','));
  }
  return `${lines.join('\n')}\n`;
}
