import { Rng } from '../../../src-shared/random';
import { FAMILIES, type DemoFamily, type DemoProblem } from './families/index';

/**
 * Seeded draws of unique problems. Training data, the pre-training corpus and evaluation items
 * each come from their own seed stream, and later draws exclude the keys of earlier ones, so
 * no evaluation item is a problem the model saw in training or pre-training.
 */

/** Seed of the fine-tuning set's stream. Changing it changes resources/demo/. */
export const DEMO_TRAIN_SEED = 20240101;
/** Seed of the pre-training corpus's stream. */
export const DEMO_CORPUS_SEED = 20240202;
/** Fine-tuning records per family (six families: 1,200 records). */
export const DEMO_TRAIN_PER_FAMILY = 200;
/**
 * Problems per family in the corpus. The base model learns the tasks here, in pre-training (a
 * fine-tune of a few dozen steps teaches the Alpaca format, not the skills), so this is large.
 */
export const DEMO_CORPUS_PER_FAMILY = 800;

/** Draws beyond this many per wanted problem mean the family has run out of new problems. */
const MAX_TRIES_PER_PROBLEM = 200;

/**
 * `perFamily` problems of each family, interleaved family by family, unique by key and absent
 * from `exclude`; every key drawn is added to `exclude`.
 */
export function drawProblems(
  rng: Rng,
  perFamily: number,
  exclude: Set<string>,
  families: readonly DemoFamily[] = FAMILIES,
): DemoProblem[] {
  const out: DemoProblem[] = [];
  for (let i = 0; i < perFamily; i++) {
    for (const family of families) out.push(drawOne(rng, family, exclude));
  }
  return out;
}

export function drawOne(rng: Rng, family: DemoFamily, exclude: Set<string>): DemoProblem {
  for (let t = 0; t < MAX_TRIES_PER_PROBLEM; t++) {
    const p = family.make(rng);
    if (exclude.has(p.key)) continue;
    exclude.add(p.key);
    return p;
  }
  throw new Error(`demo family ${family.name}: no new problem in ${MAX_TRIES_PER_PROBLEM} draws`);
}

interface DemoProblemSets {
  train: DemoProblem[];
  corpus: DemoProblem[];
  /** Keys of both sets: what evaluation items must avoid. */
  seen: ReadonlySet<string>;
}

let cached: DemoProblemSets | undefined;

/** The training and corpus problems (computed once; a few milliseconds). */
export function demoProblemSets(): DemoProblemSets {
  if (!cached) {
    const seen = new Set<string>();
    const train = drawProblems(new Rng(DEMO_TRAIN_SEED), DEMO_TRAIN_PER_FAMILY, seen);
    const corpus = drawProblems(new Rng(DEMO_CORPUS_SEED), DEMO_CORPUS_PER_FAMILY, seen);
    cached = { train, corpus, seen };
  }
  return cached;
}

/**
 * A problem asked plainly, without the Alpaca template: the instruction, the input on its own
 * line when there is one, then "Answer:". The demo benchmarks ask this way (as ARC and PIQA ask
 * "Question: …\nAnswer:"), and the corpus states some problems this way, answer right after.
 * @example plainQuestion({instruction: 'What is 23 + 48?', input: ''}) // 'What is 23 + 48?\nAnswer:'
 */
export function plainQuestion(p: { instruction: string; input: string }): string {
  return `${p.instruction}\n${p.input ? `${p.input}\n` : ''}Answer:`;
}

/** The long completion: worked steps, then the exact answer on its own line. */
export function longCompletion(p: DemoProblem): string {
  return `${p.steps}\nAnswer: ${p.answer}`;
}
