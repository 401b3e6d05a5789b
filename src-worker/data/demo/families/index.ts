import { UsageError } from '../../../../src-shared/errors';
import { arithmetic } from './arithmetic';
import { copyRule } from './copy-rule';
import { countLetters } from './count-letters';
import { extractField } from './extract-field';
import { reverseWords } from './reverse-words';
import { sortNumbers } from './sort-numbers';
import type { DemoFamily, DemoFamilyName } from './types';

export type { DemoFamily, DemoFamilyName, DemoProblem } from './types';

/** The demo's task families, in a fixed order (training data interleaves them in it). */
export const FAMILIES: readonly DemoFamily[] = [
  arithmetic,
  sortNumbers,
  reverseWords,
  countLetters,
  extractField,
  copyRule,
];

export const DEMO_FAMILIES: readonly DemoFamilyName[] = FAMILIES.map((f) => f.name);

export function demoFamily(name: string): DemoFamily {
  const family = FAMILIES.find((f) => f.name === name);
  if (!family) {
    throw new UsageError(`unknown demo family "${name}" (known: ${DEMO_FAMILIES.join(', ')})`);
  }
  return family;
}
