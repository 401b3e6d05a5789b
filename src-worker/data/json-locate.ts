/**
 * Locates the first syntax error in a JSON text, and the container path at that point.
 * `JSON.parse` reports positions inconsistently across V8 versions (some messages carry none),
 * and never says which record or field the error is in; this strict RFC 8259 scanner is run
 * only after `JSON.parse` has failed, to word the one-line error docs/CLI.md "The contract" asks for.
 */

export type JsonFrame = { kind: 'array'; index: number } | { kind: 'object'; key?: string };

export interface JsonSyntaxProblem {
  /** UTF-16 offset into the scanned text. */
  offset: number;
  problem: string;
  /** Containers open at the error, outermost first. */
  path: JsonFrame[];
}

/** Nesting beyond this is reported rather than risking the call stack. */
const MAX_DEPTH = 2000;

class ScanFailure {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

class Scanner {
  pos = 0;
  readonly path: JsonFrame[] = [];

  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.ws();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the JSON value');
  }

  private fail(problem: string): never {
    if (this.pos >= this.text.length) {
      // Whatever was expected, running out of text means the value was cut off.
      throw new ScanFailure(this.pos, 'unexpected end of input (truncated?)');
    }
    throw new ScanFailure(this.pos, problem);
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private value(): void {
    this.ws();
    if (this.pos >= this.text.length) this.fail('expected a value');
    const c = this.text[this.pos] as string;
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return void this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    this.fail(`unexpected character ${describeChar(c)}`);
  }

  private open(frame: JsonFrame): void {
    if (this.path.length >= MAX_DEPTH) this.fail('nested too deeply');
    this.path.push(frame);
    this.pos++;
    this.ws();
  }

  private object(): void {
    const frame: JsonFrame = { kind: 'object' };
    this.open(frame);
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.path.pop();
      return;
    }
    for (;;) {
      this.ws();
      frame.key = undefined;
      if (this.text[this.pos] !== '"') this.fail('expected a double-quoted property name');
      frame.key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after a property name");
      this.pos++;
      this.value();
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        this.path.pop();
        return;
      }
      this.fail("expected ',' or '}' after a property value");
    }
  }

  private array(): void {
    const frame: JsonFrame = { kind: 'array', index: 0 };
    this.open(frame);
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.path.pop();
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        frame.index++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        this.path.pop();
        return;
      }
      this.fail("expected ',' or ']' after an array element");
    }
  }

  /** Scans a string literal and returns its value. */
  private string(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return JSON.parse(t.slice(start, this.pos)) as string;
      }
      if (c < 0x20) this.fail('raw control character in a string (escape newlines as \\n)');
      if (c === 0x5c) {
        const e = t[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) {
            this.fail('invalid \\u escape');
          }
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('invalid escape in a string');
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
  }
}

function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return `'${c}'`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first syntax error of `text` as JSON, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return null;
  } catch (err) {
    if (err instanceof ScanFailure) {
      return {
        offset: err.offset,
        problem: err.problem,
        path: scanner.path.map((f) => ({ ...f })),
      };
    }
    throw err;
  }
}

/**
 * The container path after reading the valid prefix `text` (e.g. the text before an invalid
 * UTF-8 byte): where in the document that prefix ends.
 */
export function pathAtEnd(text: string): JsonFrame[] {
  return findJsonSyntaxError(text)?.path ?? [];
}

/** 1-based line and column (UTF-16 units) of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
