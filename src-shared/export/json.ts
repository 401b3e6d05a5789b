import type { Table, TableCell } from './table';

/** The table as an array of row objects keyed by column key (full precision). */
export function tableToObjects(table: Table): Record<string, TableCell>[] {
  return table.rows.map((row) =>
    Object.fromEntries(table.columns.map((c) => [c.key, row[c.key] ?? null])),
  );
}

/** The table as pretty-printed JSON text. */
export function toJson(table: Table): string {
  return `${JSON.stringify(tableToObjects(table), null, 2)}\n`;
}
