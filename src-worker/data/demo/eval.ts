import { Rng } from '../../../src-shared/random';
import { demoFamily, type DemoFamilyName, type DemoProblem } from './families/index';
import { drawOne, demoProblemSets } from './problems';

/**
 * Held-out evaluation items for the built-in demo benchmarks. Each family's items come from a
 * seed stream of their own, and skip every problem (by key, phrasing aside) of the training set
 * and the pre-training corpus, so a score measures generalization, not recall.
 */

export interface DemoEvalItem {
  family: DemoFamilyName;
  key: string;
  instruction: string;
  input: string;
  /** The correct answer, exactly. */
  answer: string;
  /** Three plausible wrong answers (the family's usual slips), distinct from each other. */
  distractors: [string, string, string];
  /** The answer and the distractors in a seeded order, for multiple choice. */
  choices: [string, string, string, string];
  /** Index of the answer in `choices`. */
  gold: number;
}

/** FNV-1a: a stable 32-bit seed from a string, so each (family, seed) has its own stream. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function distractorsOf(p: DemoProblem): [string, string, string] | null {
  const picked: string[] = [];
  for (const w of p.wrong) {
    if (w !== p.answer && w.trim() !== '' && !picked.includes(w)) picked.push(w);
    if (picked.length === 3) return picked as [string, string, string];
  }
  return null;
}

/**
 * `n` held-out items of one family, deterministic in (family, n, seed); the first k items of
 * a longer list are the k items of a shorter one.
 * @throws UsageError for an unknown family.
 */
export function demoEvalItems(family: DemoFamilyName, n: number, seed = 0): DemoEvalItem[] {
  const fam = demoFamily(family);
  const rng = new Rng(hashSeed(`plw-demo-eval:${family}:${seed}`));
  const exclude = new Set(demoProblemSets().seen);
  const items: DemoEvalItem[] = [];
  while (items.length < n) {
    const p = drawOne(rng, fam, exclude);
    const distractors = distractorsOf(p);
    if (distractors === null) continue;
    const gold = rng.int(4);
    const choices = [...distractors];
    choices.splice(gold, 0, p.answer);
    items.push({
      family: p.family,
      key: p.key,
      instruction: p.instruction,
      input: p.input,
      answer: p.answer,
      distractors,
      choices: choices as [string, string, string, string],
      gold,
    });
  }
  return items;
}

/**
 * Whether a generated `text` answers `item`: the text after the last "Answer:" (the format of
 * the long completions), or else the whole text, first line, trimmed, must equal the answer.
 * @example checkDemoAnswer({answer: '71', …}, 'Add the ones… So 23 + 48 = 71.\nAnswer: 71') // true
 */
export function checkDemoAnswer(item: Pick<DemoEvalItem, 'answer'>, text: string): boolean {
  const at = text.lastIndexOf('Answer:');
  const tail = at === -1 ? text : text.slice(at + 'Answer:'.length);
  const firstLine = tail.trimStart().split('\n')[0] ?? '';
  return firstLine.trim() === item.answer;
}
