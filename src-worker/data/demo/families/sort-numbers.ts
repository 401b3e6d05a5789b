import type { Rng } from '../../../../src-shared/random';
import { between, listWords, pick } from '../vocab';
import type { DemoFamily, DemoProblem } from './types';

/** Sorting four to six distinct numbers, ascending or descending. */

const ASCENDING = [
  'Sort these numbers from smallest to largest.',
  'Put the numbers in ascending order.',
  'Arrange the list in increasing order.',
  'Order these numbers from low to high.',
];
const DESCENDING = [
  'Sort these numbers from largest to smallest.',
  'Put the numbers in descending order.',
  'Arrange the list in decreasing order.',
];

function make(rng: Rng): DemoProblem {
  const k = between(rng, 4, 6);
  const set = new Set<number>();
  while (set.size < k) set.add(between(rng, 1, 99));
  const nums = [...set];
  const up = rng.next() < 0.6;
  const sorted = [...nums].sort((x, y) => (up ? x - y : y - x));
  const sep = rng.next() < 0.5 ? ' ' : ', ';
  const show = (xs: number[]): string => xs.join(sep);
  const first = up ? 'smallest' : 'largest';
  const last = up ? 'largest' : 'smallest';
  const middle = sorted.slice(1, -1).map(String);
  const steps =
    `The ${first} number is ${sorted[0]}. After it come ${listWords(middle)}. ` +
    `The ${last} is ${sorted[sorted.length - 1]}.`;
  const swapAt = (i: number): number[] => {
    const s = [...sorted];
    [s[i], s[i + 1]] = [s[i + 1] as number, s[i] as number];
    return s;
  };
  const bumped = [...sorted];
  bumped[1] = (bumped[1] as number) + 1;
  const wrong = [
    show(swapAt(between(rng, 0, k - 2))),
    show(nums),
    show([...sorted].reverse()),
    show(swapAt(0)),
    show(swapAt(k - 2)),
    show(bumped),
    show(sorted.slice(0, -1)),
  ];
  return {
    family: 'sort_numbers',
    key: `sort:${up ? 'up' : 'down'}:${nums.join(',')}`,
    instruction: pick(rng, up ? ASCENDING : DESCENDING),
    input: show(nums),
    answer: show(sorted),
    steps,
    wrong,
  };
}

export const sortNumbers: DemoFamily = { name: 'sort_numbers', make };
