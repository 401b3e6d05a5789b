import { existsSync } from 'node:fs';
import { InputError } from '../../../src-shared/errors';
import { readText, splitLines } from './records';

/** `valid.jsonl` → `valid-labels.lst`: how PIQA and WinoGrande ship labels beside the data. */
export function labelsFileFor(dataFile: string): string {
  return dataFile.replace(/\.jsonl?$/i, '') + '-labels.lst';
}

export function hasLabelsFile(dataFile: string): boolean {
  return existsSync(labelsFileFor(dataFile));
}

/**
 * The integer labels of a `*-labels.lst` file, one per line, which must align line by line
 * with the `count` records of its data file.
 */
export async function readLabels(
  file: string,
  count: number,
  allowed: readonly number[],
): Promise<number[]> {
  const lines = splitLines(await readText(file));
  if (lines.length !== count) {
    throw new InputError(
      { file },
      `has ${lines.length} labels but its data file has ${count} records`,
    );
  }
  return lines.map((line, i) => {
    const n = Number(line.trim());
    if (line.trim() === '' || !allowed.includes(n)) {
      throw new InputError(
        { file, record: `line ${i + 1}` },
        `label "${line}" is not one of ${allowed.join(', ')}`,
      );
    }
    return n;
  });
}
