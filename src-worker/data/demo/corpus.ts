import { Rng } from '../../../src-shared/random';
import { longCompletion, plainQuestion } from './problems';
import type { DemoProblem } from './families/index';
import { between, CITIES, COLORS, NAMES, pick, PETS, WORDS } from './vocab';

/**
 * The plain-text pre-training corpus for the byte-level demo base model: problems of every
 * family (no Alpaca template: fine-tuning teaches that), each either worked (instruction, input,
 * steps, "Answer: X") or answered at once (instruction, input, "Answer: X", the way the demo
 * benchmarks ask), and simple sentences over the same vocabulary, in paragraphs separated by
 * blank lines.
 */

const FACTS: ((rng: Rng) => string)[] = [
  (rng) =>
    `${pick(rng, NAMES)} lives in ${pick(rng, CITIES)} with a ${pick(rng, COLORS)} ${pick(rng, PETS)}.`,
  (rng) => `${pick(rng, NAMES)} is ${between(rng, 18, 80)} years old.`,
  (rng) => {
    const [a, b] = [between(rng, 1, 99), between(rng, 1, 99)];
    return `${a} plus ${b} is ${a + b}.`;
  },
  (rng) => {
    const [a, b] = [between(rng, 50, 99), between(rng, 1, 49)];
    return `${a} minus ${b} is ${a - b}.`;
  },
  (rng) => {
    const [a, b] = [between(rng, 2, 9), between(rng, 2, 12)];
    return `${a} times ${b} is ${a * b}.`;
  },
  (rng) => {
    const w = pick(rng, WORDS);
    return `The word ${w} is spelled ${[...w].join(' ')}.`;
  },
  (rng) => {
    const w = pick(rng, WORDS);
    return `In capital letters, ${w} is written ${w.toUpperCase()}.`;
  },
  (rng) => {
    const n = between(rng, 1, 90);
    return `Counting up: ${n}, ${n + 1}, ${n + 2}, ${n + 3}.`;
  },
  (rng) => `The ${pick(rng, WORDS)} is next to the ${pick(rng, WORDS)}.`,
];

/** Paragraphs of simple sentences after the worked problems. */
export const DEMO_FACT_PARAGRAPHS = 250;

/** Share of the corpus problems answered at once rather than worked. */
export const DEMO_DIRECT_SHARE = 0.5;

function problemParagraph(p: DemoProblem, direct: boolean): string {
  if (direct) return `${plainQuestion(p)} ${p.answer}`;
  return [p.instruction, ...(p.input ? [p.input] : []), longCompletion(p)].join('\n');
}

/** The corpus text: the problems (worked or answered at once) and fact paragraphs, shuffled. */
export function buildCorpus(problems: readonly DemoProblem[], seed: number): string {
  const rng = new Rng(seed);
  const paragraphs = problems.map((p) => problemParagraph(p, rng.next() < DEMO_DIRECT_SHARE));
  for (let i = 0; i < DEMO_FACT_PARAGRAPHS; i++) {
    const n = between(rng, 3, 5);
    paragraphs.push(Array.from({ length: n }, () => pick(rng, FACTS)(rng)).join(' '));
  }
  return `${rng.shuffle(paragraphs).join('\n\n')}\n`;
}
