import type { GroupAnalysis } from '../analysis/analyze';
import { toCsv } from './csv';
import { tableToObjects, toJson } from './json';
import { toLatex } from './latex';
import { toMarkdown } from './markdown';
import { analysisTable, resultsTable, type ResultRow } from './tables';
import type { Table } from './table';

export type ExportFormat = 'csv' | 'md' | 'tex' | 'json';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'md', 'tex', 'json'];

/** Renders one table in a format (JSON: an array of row objects). */
export function formatTable(table: Table, format: ExportFormat, caption?: string): string {
  switch (format) {
    case 'csv':
      return toCsv(table);
    case 'md':
      return toMarkdown(table);
    case 'tex':
      return toLatex(table, caption);
    case 'json':
      return toJson(table);
  }
}

/**
 * The export of `plw export` (docs/CLI.md "Sweeps"): the results table, and for md/tex/json also the
 * analysis table (CSV holds one table only, so it carries the results). JSON is one document
 * `{ "results": [...], "analysis": [...] }`.
 */
export function formatExport(
  format: ExportFormat,
  results: ResultRow[],
  analyses: GroupAnalysis[],
  ratios: ReadonlyMap<string, number> = new Map(),
): string {
  const res = resultsTable(results);
  const ana = analysisTable(analyses, ratios);
  switch (format) {
    case 'csv':
      return toCsv(res);
    case 'json':
      return `${JSON.stringify({ results: tableToObjects(res), analysis: tableToObjects(ana) }, null, 2)}\n`;
    case 'md':
      return `## Results\n\n${toMarkdown(res)}\n## Analysis\n\n${toMarkdown(ana)}`;
    case 'tex':
      return `${toLatex(res, 'Benchmark scores per cell')}\n${toLatex(ana, 'Effect of the prompt loss weight')}`;
  }
}
