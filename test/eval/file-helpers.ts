import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { InputError } from '../../src-shared/errors';

/** A fresh temp folder and a writer of small fixture files into it (sub-folders made). */
export function tempWriter(prefix: string): {
  dir: string;
  write(name: string, text: string): string;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
}

/** Asserts an InputError whose one-line message names every part (file, record, field…). */
export async function expectInputError(p: Promise<unknown>, parts: string[] = []): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  for (const part of parts) expect((err as Error).message).toContain(part);
  return (err as Error).message;
}
