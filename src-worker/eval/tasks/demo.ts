import {
  DEMO_FAMILIES,
  checkDemoAnswer,
  demoEvalItems,
  type DemoEvalItem,
} from '../../data/demo/index';
import { plainQuestion } from '../../data/demo/problems';
import { charLength, type GenerationInstance, type MultipleChoiceInstance } from '../instances';

/** Documents per demo task when `--limit` is not given: 10 per family. */
export const DEMO_DEFAULT_ITEMS = 10 * DEMO_FAMILIES.length;

/**
 * demo_gen's generation cap: the longest answer (four words each written twice) is about 50
 * bytes, so a model that never writes a newline is cut off here instead of at 256.
 */
export const DEMO_GEN_MAX_NEW_TOKENS = 64;

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
 * Demo multiple choice, asked as ARC and PIQA are (docs/METHOD.md "Evaluation"): a plain question, no Alpaca
 * template — the instruction, the input on its own line, "Answer:" (`plainQuestion`) — and each
 * of the four choices as the continuation " {choice}". So it measures what fine-tuning did to
 * the base model's skill, as the study's benchmarks do, whatever format a cell was tuned to.
 */
export function buildDemoChoiceInstances(items: readonly DemoEvalItem[]): MultipleChoiceInstance[] {
  return items.map((item) => {
    const context = plainQuestion(item);
    return {
      doc: item,
      requests: item.choices.map((c) => ({ context, continuation: ` ${c}` })),
      choiceLengths: item.choices.map(charLength),
      gold: item.gold,
    };
  });
}

/**
 * Demo generation: the same plain question as demo_mc, greedy decoding until the newline (as
 * WMT's) or EOS; correct when the first line, trimmed, is the answer (`checkDemoAnswer`).
 */
export function buildDemoGenerationInstances(items: readonly DemoEvalItem[]): GenerationInstance[] {
  return items.map((item) => ({
    doc: item,
    prompt: plainQuestion(item),
    until: ['\n'],
    reference: item.answer,
    isCorrect: (prediction: string) => checkDemoAnswer(item, prediction),
  }));
}
