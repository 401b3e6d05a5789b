import { formatNumber, type Table } from './table';

/** Escapes the characters that break a Markdown table cell. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * The table as a GitHub-flavoured Markdown pipe table; numbers right-aligned and rounded to
 * each column's significant digits.
 */
export function toMarkdown(table: Table): string {
  const numeric = table.columns.map((c) => table.rows.some((r) => typeof r[c.key] === 'number'));
  const header = `| ${table.columns.map((c) => mdCell(c.label)).join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = table.rows.map(
    (row) =>
      `| ${table.columns.map((c) => mdCell(formatNumber(row[c.key] ?? null, c.digits))).join(' | ')} |`,
  );
  return `${[header, rule, ...body].join('\n')}\n`;
}
