import type { Rng } from '../../../../src-shared/random';
import { between, CITIES, COLORS, listWords, NAMES, pick, PETS, sample } from '../vocab';
import type { DemoFamily, DemoProblem } from './types';

/** Reading one field out of a small key-value record. */

const FIELDS: Record<string, (rng: Rng) => string> = {
  name: (rng) => pick(rng, NAMES),
  city: (rng) => pick(rng, CITIES),
  color: (rng) => pick(rng, COLORS),
  pet: (rng) => pick(rng, PETS),
  age: (rng) => String(between(rng, 18, 80)),
};

function make(rng: Rng): DemoProblem {
  const names = sample(rng, Object.keys(FIELDS), between(rng, 3, 4));
  const values = names.map((f) => (FIELDS[f] as (r: Rng) => string)(rng));
  const target = rng.int(names.length);
  const field = names[target] as string;
  const answer = values[target] as string;
  const record =
    rng.next() < 0.5
      ? names.map((f, i) => `${f}: ${values[i]}`).join('; ')
      : names.map((f, i) => `${f}=${values[i]}`).join(', ');
  const phrasings = [
    `What is the ${field} in this record?`,
    `Extract the value of the field '${field}'.`,
    `From the record below, give the ${field}.`,
  ];
  const steps =
    `The record has ${names.length} fields: ${listWords(names)}. ` +
    `The field ${field} holds the value ${answer}.`;
  // Other values of the same record first: the slip is reading the wrong field.
  const sameKind = Array.from({ length: 4 }, () => (FIELDS[field] as (r: Rng) => string)(rng));
  const wrong = [...values.filter((_, i) => i !== target), ...sameKind];
  return {
    family: 'extract_field',
    key: `field:${field}:${record}`,
    instruction: pick(rng, phrasings),
    input: record,
    answer,
    steps,
    wrong,
  };
}

export const extractField: DemoFamily = { name: 'extract_field', make };
