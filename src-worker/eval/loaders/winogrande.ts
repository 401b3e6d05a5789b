import { InputError } from '../../../src-shared/errors';
import type { WinograndeDoc } from '../docs';
import { RecordReader } from './fields';
import { hasLabelsFile, labelsFileFor, readLabels } from './labels';
import { readRecords } from './records';
import type { SplitNaming } from './splits';

/**
 * The original release (`dev.jsonl` [+ `dev-labels.lst`], `train_{xs,s,m,l,xl}.jsonl`) or
 * Hugging Face's `winogrande_xl/{split}-*.parquet`. Few-shot examples come from the largest
 * training size present, as lm-eval uses `winogrande_xl`'s train split.
 */
export const WINOGRANDE_SPLITS: SplitNaming = {
  eval: [/^dev\.jsonl$/i, /^validation[-.]/i, /^dev[-.]/i],
  train: [
    /^train_xl\./i,
    /^train_l\./i,
    /^train_m\./i,
    /^train_s\./i,
    /^train_xs\./i,
    /^train[-.]/i,
  ],
  trainWords: ['train_xl', 'train_l', 'train_m', 'train_s', 'train_xs', 'train'],
};

/**
 * WinoGrande records `{sentence, option1, option2, answer}` with `answer` "1" or "2"; where
 * records carry no answer (the test release) the `-labels.lst` beside the file supplies it.
 */
export async function loadWinogrande(files: readonly string[]): Promise<WinograndeDoc[]> {
  const docs: WinograndeDoc[] = [];
  for (const file of files) {
    const records = await readRecords(file);
    const parsed = records.map((rec) => {
      const { r, obj } = RecordReader.of(file, rec);
      const sentence = r.string(obj, 'sentence');
      if (!sentence.includes('_')) r.fail('sentence', 'has no "_" blank to fill');
      const option1 = r.string(obj, 'option1');
      const option2 = r.string(obj, 'option2');
      const raw = obj.answer;
      let answer: number | undefined;
      if (raw !== undefined && raw !== '') {
        answer = r.integer(obj, 'answer');
        if (answer !== 1 && answer !== 2) r.fail('answer', `expected "1" or "2", got ${answer}`);
      }
      return { sentence, option1, option2, answer };
    });
    let answers = parsed.map((p) => p.answer);
    if (hasLabelsFile(file)) {
      // The release ships answers twice for dev (inline and in dev-labels.lst): they must agree.
      const labelsFile = labelsFileFor(file);
      const labels = await readLabels(labelsFile, parsed.length, [1, 2]);
      labels.forEach((label, i) => {
        const inline = answers[i];
        if (inline !== undefined && inline !== label) {
          throw new InputError(
            { file: labelsFile, record: `line ${i + 1}` },
            `label ${label} disagrees with the answer "${inline}" of ${records[i]?.where ?? `record ${i}`} in ${file}`,
          );
        }
      });
      answers = labels;
    }
    parsed.forEach((p, i) => {
      const answer = answers[i];
      if (answer === undefined) {
        new RecordReader(file, records[i]?.where ?? `record ${i}`).fail(
          'answer',
          'missing, and no -labels.lst file beside the data supplies it',
        );
      }
      docs.push({ ...p, answer: answer as 1 | 2 });
    });
  }
  return docs;
}
