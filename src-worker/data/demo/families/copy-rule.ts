import type { Rng } from '../../../../src-shared/random';
import { between, sample, WORDS } from '../vocab';
import type { DemoFamily, DemoProblem } from './types';

/** Copying words while applying a simple rule to each one. */

interface Rule {
  id: string;
  instructions: string[];
  /** How the long answer names the rule. */
  says: string;
  apply(word: string): string;
}

const RULES: Rule[] = [
  {
    id: 'upper',
    instructions: ['Rewrite the text in capital letters.', 'Copy the words in upper case.'],
    says: 'write every letter as a capital',
    apply: (w) => w.toUpperCase(),
  },
  {
    id: 'novowels',
    instructions: ['Copy the text without its vowels.', 'Remove every vowel from the words.'],
    says: 'drop the vowels a, e, i, o and u',
    apply: (w) => w.replace(/[aeiou]/g, ''),
  },
  {
    id: 'twice',
    instructions: ['Copy the words, writing each one twice.', 'Repeat every word two times.'],
    says: 'write each word two times',
    apply: (w) => `${w} ${w}`,
  },
  {
    id: 'initials',
    instructions: ['Write the first letter of each word.', 'Give the initial of every word.'],
    says: 'keep only the first letter of each word',
    apply: (w) => w.slice(0, 1),
  },
];

function make(rng: Rng): DemoProblem {
  const rule = RULES[rng.int(RULES.length)] as Rule;
  const words = sample(rng, WORDS, between(rng, 2, 4));
  const out = words.map(rule.apply);
  const steps = `The rule is to ${rule.says}. Word by word: ${words
    .map((w, i) => `${w} -> ${out[i]}`)
    .join(', ')}.`;
  // Slips: another rule, the rule forgotten on the last word, the text copied unchanged.
  const others = RULES.filter((r) => r !== rule).map((r) => words.map(r.apply).join(' '));
  const partial = [...out.slice(0, -1), words[words.length - 1] as string].join(' ');
  return {
    family: 'copy_rule',
    key: `rule:${rule.id}:${words.join(' ')}`,
    instruction: rule.instructions[rng.int(rule.instructions.length)] as string,
    input: words.join(' '),
    answer: out.join(' '),
    steps,
    wrong: [partial, ...others, words.join(' '), [...out].reverse().join(' ')],
  };
}

export const copyRule: DemoFamily = { name: 'copy_rule', make };
