import type { InstructionRecord } from '../../src-shared/alpaca';
import { InputError, type InputLocation } from '../../src-shared/errors';

/** Type name for messages: `null` and `array` are told apart from `object`. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Checks one parsed record and keeps only the three Alpaca fields (extra fields are ignored,
 * so a dataset with e.g. an `example_input` key still loads). A missing `input` means "".
 * @throws InputError naming the file, the record and the field at fault.
 */
export function toInstructionRecord(
  value: unknown,
  where: Pick<InputLocation, 'file' | 'record'>,
): InstructionRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      where,
      `expected an object with string fields "instruction", "input", "output", got ${describeType(value)}`,
    );
  }
  const obj = value as Record<string, unknown>;
  const field = (name: 'instruction' | 'input' | 'output'): string => {
    const v = obj[name];
    if (v === undefined && name === 'input') return '';
    if (typeof v === 'string') return v;
    const problem =
      v === undefined ? 'missing (expected a string)' : `expected a string, got ${describeType(v)}`;
    throw new InputError({ ...where, field: name }, problem + formatHint(obj));
  };
  return { instruction: field('instruction'), input: field('input'), output: field('output') };
}

/** Names the two shapes people most often feed in by mistake. */
function formatHint(obj: Record<string, unknown>): string {
  if (Array.isArray(obj.instances)) {
    return ' (this looks like a Self-Instruct seed task with "instances"; convert it to Alpaca records first)';
  }
  const keys = Object.keys(obj);
  const hasAlpacaKey = keys.some((k) => k === 'instruction' || k === 'input' || k === 'output');
  if (!hasAlpacaKey && keys.some((k) => Array.isArray(obj[k]))) {
    return ' (is this an object wrapping the records? expected a top-level JSON array or JSONL)';
  }
  return '';
}
