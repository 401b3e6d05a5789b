import type { WinograndeDoc } from '../docs';
import { charLength, type MultipleChoiceInstance } from '../instances';
import { fewShotPrefix, planFewShot, type FewShotOptions } from './fewshot';

/**
 * WinoGrande's partial scoring (lm_eval/tasks/winogrande/preprocess_winogrande.py): the
 * options go into the *context* (sentence up to the blank, option filled in) and both share
 * the continuation (the rest of the sentence after the blank, stripped), so only how well each
 * option predicts the rest is compared.
 */
function blankIndex(doc: WinograndeDoc): number {
  return doc.sentence.indexOf('_');
}

/** `doc_to_choice`: the sentence up to the blank with each option filled in. */
export function winograndeContexts(doc: WinograndeDoc): [string, string] {
  const head = doc.sentence.slice(0, blankIndex(doc));
  return [head + doc.option1, head + doc.option2];
}

/** `doc_to_target`: what follows the blank, stripped as Python's `str.strip()`. */
export function winograndeTarget(doc: WinograndeDoc): string {
  return doc.sentence.slice(blankIndex(doc) + 1).trim();
}

export function buildWinograndeInstances(
  docs: readonly WinograndeDoc[],
  fewshot: FewShotOptions<WinograndeDoc>,
): MultipleChoiceInstance[] {
  return planFewShot(docs, fewshot).map(({ doc, examples }) => {
    // A few-shot example is its correct option's context, " ", the continuation, a blank line
    // (the pre-0.4 harness builds the same text: doc_to_text + doc_to_target, "\n\n" joined).
    const prefix = fewShotPrefix(
      examples.map((ex) => ({
        text: winograndeContexts(ex)[ex.answer - 1] as string,
        answer: winograndeTarget(ex),
      })),
    );
    const contexts = winograndeContexts(doc);
    const continuation = ` ${winograndeTarget(doc)}`;
    return {
      doc,
      requests: contexts.map((c) => ({ context: prefix + c, continuation })),
      choiceLengths: contexts.map(charLength),
      gold: doc.answer - 1,
    };
  });
}
