import { Rng } from '../../../src-shared/random';
import { PythonRandom } from '../python-random';

/**
 * How few-shot examples are chosen:
 * - `lm-eval` (default): lm-evaluation-harness 0.4's `ContextSampler` exactly, so a 25-shot
 *   ARC or 5-shot WinoGrande context is the one the harness builds for the same document;
 * - `leaderboard`: the pre-0.4 harness the Open LLM Leaderboard pinned (see `leaderboardPlan`):
 *   other examples, and under `--limit` other documents, than 0.4's;
 * - `seeded`: the project's own seedable generator (`--seed`), same number, source and format
 *   of examples, other examples.
 */
export type FewShotSamplerName = 'lm-eval' | 'leaderboard' | 'seeded';
export const FEWSHOT_SAMPLERS: readonly FewShotSamplerName[] = ['lm-eval', 'leaderboard', 'seeded'];

/** lm-eval's `fewshot_random_seed` default (evaluator.simple_evaluate, `--seed` 4th value). */
export const LM_EVAL_FEWSHOT_SEED = 1234;

/** The pre-0.4 evaluator's `rnd.seed(42)`, which shuffles the documents and draws the examples. */
export const LEADERBOARD_SEED = 42;

/** Chooses the examples of one evaluated document; called once per document, in order. */
export interface FewShotDraw<T> {
  draw(doc: T, k: number): T[];
}

/**
 * lm-eval 0.4's `ContextSampler.get_context` draws: one `random.Random(1234)` for the whole
 * run, `rnd.sample(fewshot_docs, n)` per evaluated document in document order, with
 * n = k + 1 when the task's `fewshot_split == test_split` (`extraDraw`), then drawn documents
 * equal to the evaluated one are dropped and the first k kept.
 *
 * `extraDraw` is a property of the task's lm-eval config, not of where the examples come from:
 * WinoGrande and PIQA set neither split, so lm-eval compares None with None and draws k + 1
 * from train; ARC sets test_split "test" and draws k.
 */
export class LmEvalSampler<T> implements FewShotDraw<T> {
  private readonly rnd = new PythonRandom(LM_EVAL_FEWSHOT_SEED);

  constructor(
    private readonly pool: readonly T[],
    private readonly extraDraw: boolean,
    private readonly same: (a: T, b: T) => boolean = sameDoc,
  ) {}

  /** The raw `rnd.sample` of one document (k or k + 1 documents), for fixtures and tests. */
  drawRaw(k: number): T[] {
    const n = this.extraDraw ? k + 1 : k;
    if (n > this.pool.length) {
      throw new Error(`few-shot: ${n} examples asked, the few-shot split has ${this.pool.length}`);
    }
    return this.rnd.sample(this.pool, n);
  }

  draw(doc: T, k: number): T[] {
    return this.drawRaw(k)
      .filter((x) => !this.same(x, doc))
      .slice(0, k);
  }
}

/** Python's `dict != dict` on loaded documents: same fields, same values. */
export function sameDoc<T>(a: T, b: T): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Our own draws: k distinct documents of the training split (partial Fisher–Yates) from the
 * project's seedable Rng, one generator advancing over the evaluation documents in order.
 */
export class FewShotSampler<T> implements FewShotDraw<T> {
  private readonly rng: Rng;

  constructor(
    private readonly pool: readonly T[],
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  draw(_doc: T, k: number): T[] {
    return this.sample(k);
  }

  /** k distinct documents (partial Fisher–Yates), in the order drawn. */
  sample(k: number): T[] {
    if (k > this.pool.length) {
      throw new Error(`few-shot: ${k} examples asked, the training split has ${this.pool.length}`);
    }
    const idx = this.pool.map((_, i) => i);
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.rng.int(idx.length - i);
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
      out.push(this.pool[idx[i] as number] as T);
    }
    return out;
  }
}

export interface FewShotOptions<D> {
  shots: number;
  train: readonly D[];
  /** Seed of the `seeded` sampler (lm-eval's is fixed at 1234, the leaderboard's at 42). */
  seed: number;
  /** Default `lm-eval`. */
  sampler?: FewShotSamplerName;
  /** lm-eval 0.4's `fewshot_split == test_split` for this task (see LmEvalSampler). */
  extraDraw?: boolean;
  /**
   * Evaluate only N documents (`--limit`): the first N in file order, except for `leaderboard`,
   * whose harness takes the first N of its shuffled order.
   */
  limit?: number;
}

/** One evaluated document with its few-shot examples; `index` is its place in the file. */
export interface PlannedDoc<D> {
  index: number;
  doc: D;
  examples: D[];
}

/** The sampler of `lm-eval` or `seeded` few-shot options, or null for zero-shot. */
function fewShotSampler<D>(o: FewShotOptions<D>): FewShotDraw<D> | null {
  if (o.shots <= 0) return null;
  return (o.sampler ?? 'lm-eval') === 'lm-eval'
    ? new LmEvalSampler(o.train, o.extraDraw ?? false)
    : new FewShotSampler(o.train, o.seed);
}

/**
 * The documents a run evaluates with their examples, in document (file) order, so
 * `--log-samples` lists them in that order whichever sampler chose them.
 */
export function planFewShot<D>(docs: readonly D[], o: FewShotOptions<D>): PlannedDoc<D>[] {
  if (o.sampler === 'leaderboard') {
    return leaderboardPlan(docs, o).sort((a, b) => a.index - b.index);
  }
  const sampler = fewShotSampler(o);
  return docs.slice(0, o.limit).map((doc, index) => ({
    index,
    doc,
    examples: sampler ? sampler.draw(doc, o.shots) : [],
  }));
}

/**
 * The pre-0.4 lm-evaluation-harness's draws (the Open LLM Leaderboard's pin, b281b09), in
 * its evaluation order. `evaluator.evaluate` makes one `random.Random()` per task seeded 42,
 * shuffles the evaluated split's documents with it, visits the first `limit` of them in that
 * order and hands the same generator to `Task.fewshot_context` for each: a task with training
 * docs draws `rnd.sample(training_docs, k)` (`fewshot_examples`: k draws, none dropped). Every
 * task here with shots has a training split (`needTrain`; TruthfulQA is 0-shot in both
 * harnesses), so the harness's other branch (k + 1 draws from the evaluated split, the document
 * itself dropped) is never taken. Zero-shot runs are shuffled and limited the same way.
 * test/reference/fewshot/leaderboard.json holds the Python draws this must equal.
 */
export function leaderboardPlan<D>(docs: readonly D[], o: FewShotOptions<D>): PlannedDoc<D>[] {
  const rnd = new PythonRandom(LEADERBOARD_SEED);
  const order = docs.map((_, i) => i);
  rnd.shuffle(order);
  if (o.shots > 0 && o.shots > o.train.length) {
    throw new Error(
      `few-shot: ${o.shots} examples asked, the training split has ${o.train.length}`,
    );
  }
  return order.slice(0, o.limit).map((index) => ({
    index,
    doc: docs[index] as D,
    examples: o.shots > 0 ? rnd.sample(o.train, o.shots) : [],
  }));
}

/**
 * lm-eval's plain-text few-shot prefix: each example is question, target delimiter (" "),
 * answer and the few-shot delimiter (a blank line); the evaluated question follows directly.
 */
export function fewShotPrefix(examples: ReadonlyArray<{ text: string; answer: string }>): string {
  return examples.map((e) => `${e.text} ${e.answer}\n\n`).join('');
}
