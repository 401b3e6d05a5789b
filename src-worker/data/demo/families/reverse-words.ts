import type { Rng } from '../../../../src-shared/random';
import { between, listWords, sample, WORDS } from '../vocab';
import type { DemoFamily, DemoProblem } from './types';

/** Reversing the order of three to five words. */

const WITH_INPUT = [
  'Reverse the order of the words.',
  'Write these words in reverse order.',
  'Say the words backwards, last word first.',
];

function make(rng: Rng): DemoProblem {
  const words = sample(rng, WORDS, between(rng, 3, 5));
  const reversed = [...words].reverse();
  const text = words.join(' ');
  const [instruction, input] =
    rng.next() < 0.25
      ? [`Reverse the word order of: ${text}`, '']
      : [WITH_INPUT[rng.int(WITH_INPUT.length)] as string, text];
  const steps =
    `There are ${words.length} words: ${listWords(words)}. ` +
    `Starting from the last one, they read ${listWords(reversed)}.`;
  const swapFirst = [reversed[1], reversed[0], ...reversed.slice(2)] as string[];
  const rotated = [...reversed.slice(1), reversed[0]] as string[];
  const swapLast = [
    ...reversed.slice(0, -2),
    reversed[reversed.length - 1],
    reversed[reversed.length - 2],
  ] as string[];
  return {
    family: 'reverse_words',
    key: `rev:${text}`,
    instruction,
    input,
    answer: reversed.join(' '),
    steps,
    wrong: [text, swapFirst.join(' '), rotated.join(' '), swapLast.join(' ')],
  };
}

export const reverseWords: DemoFamily = { name: 'reverse_words', make };
