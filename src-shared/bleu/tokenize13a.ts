/**
 * sacreBLEU's default `13a` tokenizer (sacrebleu/tokenizers/tokenizer_13a.py and
 * tokenizer_re.py, v2.x), which reproduces mteval-v13a.pl as used by WMT. Every regex and
 * replacement below is a transcription of sacreBLEU's, in the same order: BLEU scores are only
 * comparable with published ones when the tokenization is the same to the character.
 */

/**
 * The characters Python's `str.split()` splits on (`str.isspace`): JavaScript's `\s` differs
 * (it includes U+FEFF and lacks U+001C–U+001F and U+0085), so the set is spelled out.
 */
const PY_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE}]+`, 'gu');
const PY_TRAILING_WHITESPACE = new RegExp(`[${PY_WHITESPACE}]+$`, 'u');

/** TokenizerRegexp's rules, applied in order; `u` so astral characters stay whole. */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Language-dependent part (assuming Western languages): ASCII punctuation and symbols.
  [/([{-~[-` -&(-+:-@/])/gu, ' $1 '],
  // Period and comma unless preceded by a digit.
  [/([^0-9])([.,])/gu, '$1 $2 '],
  // Period and comma unless followed by a digit.
  [/([.,])([^0-9])/gu, ' $1 $2'],
  // Dash when preceded by a digit.
  [/([0-9])(-)/gu, '$1 $2 '],
];

/** Python's `' '.join(s.split())`. */
export function splitWhitespace(text: string): string[] {
  return text.split(PY_WHITESPACE_RUN).filter((t) => t !== '');
}

/** Python's `s.rstrip()`, which sacreBLEU applies to every segment before tokenizing. */
export function rstripPython(text: string): string {
  return text.replace(PY_TRAILING_WHITESPACE, '');
}

/**
 * Tokenizes one segment the way sacreBLEU's `Tokenizer13a` does: drops `<skipped>`, joins
 * hyphenated line breaks, unescapes the four XML entities mteval knows, splits off punctuation
 * (periods and commas only when not inside a number, dashes after a digit) and normalizes
 * spaces.
 * @example tokenize13a('It costs $1,000.50 &amp; more.') // 'It costs $ 1,000.50 & more .'
 */
export function tokenize13a(line: string): string {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  s = ` ${s} `;
  for (const [re, replacement] of RULES) s = s.replace(re, replacement);
  return splitWhitespace(s).join(' ');
}
