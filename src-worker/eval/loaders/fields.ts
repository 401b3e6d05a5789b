import { InputError } from '../../../src-shared/errors';
import type { SourcedRecord } from './records';

/**
 * Typed access to the fields of one benchmark record: every miss throws an InputError naming
 * the file, the record and the field, which is what lets a sweep report "this benchmark's
 * file is malformed" instead of crashing.
 */
export class RecordReader {
  constructor(
    readonly file: string,
    readonly where: string,
  ) {}

  static of(file: string, rec: SourcedRecord): { r: RecordReader; obj: Record<string, unknown> } {
    const r = new RecordReader(file, rec.where);
    return { r, obj: r.object(rec.value, undefined) };
  }

  fail(field: string | undefined, problem: string): never {
    throw new InputError({ file: this.file, record: this.where, field }, problem);
  }

  object(value: unknown, field: string | undefined): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(field, `expected an object, got ${describe(value)}`);
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `expected a list, got ${describe(value)}`);
    return value as unknown[];
  }

  string(obj: Record<string, unknown>, key: string, path = key): string {
    const v = obj[key];
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${describe(v)}`);
    return v;
  }

  /** A list of strings; parquet list columns arrive as arrays too. */
  strings(obj: Record<string, unknown>, key: string, path = key): string[] {
    const v = obj[key];
    if (!Array.isArray(v)) this.fail(path, `expected a list of strings, got ${describe(v)}`);
    return v.map((x: unknown, i) => {
      if (typeof x !== 'string')
        this.fail(`${path}[${i}]`, `expected a string, got ${describe(x)}`);
      return x;
    });
  }

  /** An integer that may be stored as a number, a bigint (parquet int64) or a numeric string. */
  integer(obj: Record<string, unknown>, key: string, path = key): number {
    return this.integerValue(obj[key], path);
  }

  integerValue(v: unknown, path: string): number {
    const n =
      typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.fail(path, `expected an integer, got ${describe(v)}`);
    }
    return n;
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
