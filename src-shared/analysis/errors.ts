import { PlwError } from '../errors';

/**
 * The data cannot support the requested fit (too few benchmarks, PLW values or scores). One
 * error policy for the statistics: throw this, never return null. It is a `bad_input` error,
 * so the CLI exits 2 with the message.
 */
export class InsufficientDataError extends PlwError {
  constructor(message: string) {
    super('bad_input', message);
    this.name = 'InsufficientDataError';
  }
}
