/**
 * Errors cross process boundaries as data: `{ code, message, detail? }` with a stable code.
 * `toErrorData` is the one place that converts a thrown value into that shape.
 */

export type ErrorCode =
  /** Malformed input a user can fix: a dataset, config, sweep file, checkpoint. CLI exit 2. */
  | 'bad_input'
  /** Wrong command-line usage. CLI exit 2. */
  | 'bad_usage'
  /** A run started but did not finish (training diverged, a worker died). CLI exit 1. */
  | 'run_failed'
  | 'cancelled'
  | 'internal';

export interface ErrorData {
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

export class PlwError extends Error {
  readonly code: ErrorCode;
  readonly detail?: unknown;

  constructor(code: ErrorCode, message: string, detail?: unknown) {
    super(message);
    this.name = 'PlwError';
    this.code = code;
    this.detail = detail;
  }
}

/** Where in an input file a problem is: the file, the record (index or line) and the field. */
export interface InputLocation {
  file: string;
  /** e.g. `record 12` (array index) or `line 40` (JSONL line), already worded. */
  record?: string;
  field?: string;
}

/**
 * A problem with a user's input file. The message is one line naming the file, the record and
 * the field, e.g. `data.jsonl: line 3: field "output": expected a string, got number`.
 */
export class InputError extends PlwError {
  readonly location: InputLocation;

  constructor(location: InputLocation, problem: string) {
    super('bad_input', formatInputProblem(location, problem), location);
    this.name = 'InputError';
    this.location = location;
  }
}

export function formatInputProblem(location: InputLocation, problem: string): string {
  const parts = [location.file];
  if (location.record !== undefined) parts.push(location.record);
  if (location.field !== undefined) parts.push(`field "${location.field}"`);
  return `${parts.join(': ')}: ${problem}`;
}

export class UsageError extends PlwError {
  constructor(message: string) {
    super('bad_usage', message);
    this.name = 'UsageError';
  }
}

export function toErrorData(err: unknown): ErrorData {
  if (err instanceof PlwError) {
    return err.detail === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, detail: err.detail };
  }
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

/** CLI exit status of docs/CLI.md "The contract" for an error: 2 for bad usage or input, 1 otherwise. */
export function exitCodeFor(err: ErrorData): 1 | 2 {
  return err.code === 'bad_input' || err.code === 'bad_usage' ? 2 : 1;
}
