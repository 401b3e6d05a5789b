import { promptText } from '../../../src-shared/alpaca';
import {
  DEMO_FAMILIES,
  checkDemoAnswer,
  demoEvalItems,
  type DemoEvalItem,
} from '../../data/demo/index';
import { charLength, type GenerationInstance, type MultipleChoiceInstance } from '../instances';

/** Documents per demo task when `--limit` is not given: 10 per family. */
export const DEMO_DEFAULT_ITEMS = 10 * DEMO_FAMILIES.length;

/**
 * `n` held-out demo items, the families interleaved so any prefix covers all of them; the
 * items never occur in the demo training data or corpus (see `demoEvalItems`).
 */
export function demoItems(n: number, seed: number): DemoEvalItem[] {
  const per = Math.ceil(n / DEMO_FAMILIES.length);
  const byFamily = DEMO_FAMILIES.map((f) => demoEvalItems(f, per, seed));
  const out: DemoEvalItem[] = [];
  for (let i = 0; i < per; i++) for (const items of byFamily) if (items[i]) out.push(items[i]);
  return out.slice(0, n);
}

/**
 * Demo multiple choice: the Alpaca prompt the demo models were fine-tuned on, then
 * "\nAnswer:" (the long completions end in "Answer: X", so that is where a trained model
 * states its answer), and each of the four choices as the continuation " {choice}".
 */
export function buildDemoChoiceInstances(items: readonly DemoEvalItem[]): MultipleChoiceInstance[] {
  return items.map((item) => {
    const context = `${promptText(item)}\nAnswer:`;
    return {
      doc: item,
      requests: item.choices.map((c) => ({ context, continuation: ` ${c}` })),
      choiceLengths: item.choices.map(charLength),
      gold: item.gold,
    };
  });
}

/**
 * Demo generation: greedy decoding from the Alpaca prompt until EOS; correct when the text
 * after the last "Answer:" (or the first line) is the answer (`checkDemoAnswer`).
 */
export function buildDemoGenerationInstances(items: readonly DemoEvalItem[]): GenerationInstance[] {
  return items.map((item) => ({
    doc: item,
    prompt: promptText(item),
    until: [],
    reference: item.answer,
    isCorrect: (prediction: string) => checkDemoAnswer(item, prediction),
  }));
}
