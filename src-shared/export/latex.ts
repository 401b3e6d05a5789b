import { formatNumber, type Table } from './table';

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Escapes text for a LaTeX table cell. @example latexEscape('a_b & 5%') // 'a\\_b \\& 5\\%' */
export function latexEscape(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIALS[ch] ?? ch);
}

/** Numbers in math mode so minus signs and exponents typeset properly. */
function latexNumber(text: string): string {
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
  if (m) return `$${m[1]} \\times 10^{${Number(m[2])}}$`;
  return text.startsWith('-') ? `$${text}$` : text;
}

/**
 * The table as a booktabs `tabular` (needs `\usepackage{booktabs}`), wrapped in a `table`
 * float when a caption is given. Numeric columns are right-aligned.
 */
export function toLatex(table: Table, caption?: string): string {
  const numeric = table.columns.map((c) => table.rows.some((r) => typeof r[c.key] === 'number'));
  const lines = [
    `\\begin{tabular}{${numeric.map((n) => (n ? 'r' : 'l')).join('')}}`,
    '\\toprule',
    `${table.columns.map((c) => c.latex ?? latexEscape(c.label)).join(' & ')} \\\\`,
    '\\midrule',
  ];
  for (const row of table.rows) {
    const cells = table.columns.map((c) => {
      const v = row[c.key] ?? null;
      return typeof v === 'number'
        ? latexNumber(formatNumber(v, c.digits))
        : latexEscape(formatNumber(v));
    });
    lines.push(`${cells.join(' & ')} \\\\`);
  }
  lines.push('\\bottomrule', '\\end{tabular}');
  if (caption === undefined) return `${lines.join('\n')}\n`;
  return `${['\\begin{table}[ht]', '\\centering', `\\caption{${latexEscape(caption)}}`, ...lines, '\\end{table}'].join('\n')}\n`;
}
