import type { TruthfulQaDoc } from '../docs';
import { RecordReader } from './fields';
import { readRecords } from './records';
import type { SplitNaming } from './splits';

/** The original `data/mc_task.json` or Hugging Face's `multiple_choice/validation-*.parquet`. */
export const TRUTHFULQA_SPLITS: SplitNaming = {
  eval: [/^mc_task\.json$/i, /^validation[-.]/i, /mc/i],
  train: [],
  trainWords: [],
};

/**
 * A TruthfulQA record's MC1 targets in either layout: the original `{answer text: 0 | 1}` map
 * (key order is the choice order) or Hugging Face's `{choices: [...], labels: [...]}`.
 * Exactly one label must be 1.
 */
export async function loadTruthfulQa(files: readonly string[]): Promise<TruthfulQaDoc[]> {
  const docs: TruthfulQaDoc[] = [];
  for (const file of files) {
    for (const rec of await readRecords(file)) {
      const { r, obj } = RecordReader.of(file, rec);
      const question = r.string(obj, 'question');
      const targets = r.object(obj.mc1_targets, 'mc1_targets');
      let choices: string[];
      let labels: number[];
      if (Array.isArray(targets.choices)) {
        choices = r.strings(targets, 'choices', 'mc1_targets.choices');
        const raw = r.array(targets.labels, 'mc1_targets.labels');
        if (raw.length !== choices.length) {
          r.fail('mc1_targets.labels', `${raw.length} labels for ${choices.length} choices`);
        }
        labels = raw.map((v, i) => r.integerValue(v, `mc1_targets.labels[${i}]`));
      } else {
        choices = Object.keys(targets);
        labels = choices.map((c) => r.integer(targets, c, `mc1_targets["${c}"]`));
      }
      const correct = labels.flatMap((l, i) => (l === 1 ? [i] : []));
      if (choices.length < 2)
        r.fail('mc1_targets', `needs at least 2 choices, has ${choices.length}`);
      if (correct.length !== 1) {
        r.fail('mc1_targets', `MC1 needs exactly one label 1, found ${correct.length}`);
      }
      docs.push({ question, choices, gold: correct[0] as number });
    }
  }
  return docs;
}
