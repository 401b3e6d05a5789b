/**
 * A format-neutral table: the results and analysis tables are built once as a `Table` and
 * rendered by the CSV, Markdown, LaTeX and JSON formatters.
 */
export type TableCell = string | number | null;

export interface TableColumn {
  /** Field name in CSV headers and JSON objects (stable, machine-readable). */
  key: string;
  /** Header in Markdown. */
  label: string;
  /** Header in LaTeX (may use math mode); defaults to the escaped label. */
  latex?: string;
  /** Significant digits of numbers in Markdown and LaTeX (CSV and JSON keep full precision). */
  digits?: number;
}

export interface Table {
  columns: TableColumn[];
  rows: Record<string, TableCell>[];
}

/**
 * A number for reading: `digits` significant digits, e-notation below 1e-3 (p-values), no
 * trailing zeros; null as an empty string.
 * @example formatNumber(0.123456, 3) // "0.123"; formatNumber(3.3e-14, 2) // "3.3e-14"
 */
export function formatNumber(value: TableCell, digits = 4): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(digits - 1);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}
