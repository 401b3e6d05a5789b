import type { Rng } from '../../../../src-shared/random';
import { between, pick, sample, WORDS } from '../vocab';
import type { DemoFamily, DemoProblem } from './types';

/** Counting one letter in a short phrase, spelled out letter by letter. */

function make(rng: Rng): DemoProblem {
  const phrase = sample(rng, WORDS, between(rng, 1, 3)).join(' ');
  const letters = [...phrase.replace(/ /g, '')];
  // Mostly a letter that occurs; sometimes one that does not, so 0 is a possible answer.
  const letter =
    rng.next() < 0.85 ? pick(rng, letters) : pick(rng, [...'abcdefghijklmnopqrstuvwxyz']);
  const count = letters.filter((c) => c === letter).length;
  const phrasings: [string, string][] = [
    [`How many times does the letter '${letter}' appear in '${phrase}'?`, ''],
    [`Count the letter '${letter}' in the text.`, phrase],
    [`How many ${letter}'s are in the following text?`, phrase],
  ];
  const [instruction, input] = pick(rng, phrasings);
  const marked = phrase
    .split(' ')
    .map((w) => [...w].map((c) => (c === letter ? `[${c}]` : c)).join(' '))
    .join(' / ');
  const steps = `Spell it out and mark each ${letter}: ${marked}. That makes ${count}.`;
  const other = letters.find((c) => c !== letter);
  const otherCount = other === undefined ? count + 3 : letters.filter((c) => c === other).length;
  const wrong = [count + 1, count - 1, count + 2, otherCount, letters.length, count + 3]
    .filter((w) => w >= 0 && w !== count)
    .map(String);
  return {
    family: 'count_letters',
    key: `count:${letter}:${phrase}`,
    instruction,
    input,
    answer: String(count),
    steps,
    wrong,
  };
}

export const countLetters: DemoFamily = { name: 'count_letters', make };
