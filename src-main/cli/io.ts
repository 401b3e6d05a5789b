import { InvalidArgumentError, type Command } from 'commander';
import { exitCodeFor, toErrorData } from '../../src-shared/errors';

/** With `--json`, a command prints exactly one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress and logs go to stderr so stdout stays machine-readable. */
export function logLine(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Prints one error line on stderr and sets the exit status of docs/CLI.md "The contract" (2 input/usage, 1 run). */
export function reportError(err: unknown): number {
  const data = toErrorData(err);
  logLine(`plw: error: ${data.message.replace(/\s*\n\s*/g, ' ')}`);
  if (data.code === 'internal' && err instanceof Error && process.env.PLW_DEBUG) {
    logLine(err.stack ?? '');
  }
  return exitCodeFor(data);
}

/**
 * Wraps a command action: runs it, maps thrown errors to one stderr line and an exit code.
 * The action may return an exit code (default 0).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void> | number | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** Parses a numeric option; commander reports the error naming the option, and exits 2. */
export function parseNumber(name: string, min?: number, max?: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new InvalidArgumentError(`${name}: expected a number`);
    }
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      throw new InvalidArgumentError(
        `${name}: ${n} is outside [${min ?? '-inf'}, ${max ?? 'inf'}]`,
      );
    }
    return n;
  };
}

export function parseInteger(name: string, min = 0) {
  return (value: string): number => {
    const n = parseNumber(name, min)(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name}: expected an integer`);
    return n;
  };
}

/** A comma-separated list of numbers in [min, max], each checked as `parseNumber` does. */
export function parseNumberList(name: string, min?: number, max?: number) {
  return (value: string): number[] =>
    value.split(',').map((item, i) => parseNumber(`${name} item ${i + 1}`, min, max)(item));
}

export type CommandRegistrar = (program: Command) => void;
