import { charLength, type MultipleChoiceInstance } from '../instances';
import { fewShotPrefix, planFewShot, type FewShotOptions } from './fewshot';

/**
 * A multiple-choice task in lm-eval's usual form (ARC, PIQA, TruthfulQA): one context per
 * question, the choices as continuations after the target delimiter " ".
 */
export interface ChoiceTemplate<D> {
  /** lm-eval's `doc_to_text`. */
  text(doc: D): string;
  /** lm-eval's `doc_to_choice`. */
  choices(doc: D): string[];
  /** lm-eval's `doc_to_target`, as an index into the choices. */
  gold(doc: D): number;
}

export type { FewShotOptions } from './fewshot';

/**
 * The requests of every evaluated document (all of `docs`, or `fewshot.limit` of them):
 * `(fewshot prefix + text, " " + choice)` per choice.
 */
export function buildChoiceInstances<D>(
  docs: readonly D[],
  template: ChoiceTemplate<D>,
  fewshot: FewShotOptions<D>,
): MultipleChoiceInstance[] {
  return planFewShot(docs, fewshot).map(({ doc, examples }) => {
    const shots = examples.map((ex) => ({
      text: template.text(ex),
      answer: template.choices(ex)[template.gold(ex)] as string,
    }));
    const context = fewShotPrefix(shots) + template.text(doc);
    const choices = template.choices(doc);
    return {
      doc,
      requests: choices.map((c) => ({ context, continuation: ` ${c}` })),
      choiceLengths: choices.map(charLength),
      gold: template.gold(doc),
    };
  });
}
