import { Rng } from '../../../src-shared/random';

/**
 * Draws few-shot examples the way lm-eval's default `ContextSampler` does (k distinct
 * documents of the training split, one shared generator advancing over the evaluation
 * documents in order) but with the project's seedable Rng, not Python's Mersenne Twister: the
 * examples chosen for a seed differ from lm-eval's, their number, source and format do not.
 */
export class FewShotSampler<T> {
  private readonly rng: Rng;

  constructor(
    private readonly pool: readonly T[],
    seed: number,
  ) {
    this.rng = new Rng(seed);
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

/**
 * lm-eval's plain-text few-shot prefix: each example is question, target delimiter (" "),
 * answer and the few-shot delimiter (a blank line); the evaluated question follows directly.
 */
export function fewShotPrefix(examples: ReadonlyArray<{ text: string; answer: string }>): string {
  return examples.map((e) => `${e.text} ${e.answer}\n\n`).join('');
}
