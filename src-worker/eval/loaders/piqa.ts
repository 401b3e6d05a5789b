import { InputError } from '../../../src-shared/errors';
import type { PiqaDoc } from '../docs';
import { RecordReader } from './fields';
import { labelsFileFor, readLabels } from './labels';
import { readRecords } from './records';
import type { SplitNaming } from './splits';

/** The original release (`valid.jsonl` + `valid-labels.lst`) or a Hugging Face export. */
export const PIQA_SPLITS: SplitNaming = {
  eval: [/^valid\.jsonl$/i, /^validation[-.]/i, /^dev[-.]/i, /valid/i],
  train: [/^train\.jsonl$/i, /^train[-.]/i],
  trainWords: ['train'],
};

/**
 * PIQA records `{goal, sol1, sol2}`; the label comes from the record's `label` field (Hugging
 * Face exports) or, for the original release, from the `-labels.lst` file beside the data.
 */
export async function loadPiqa(files: readonly string[]): Promise<PiqaDoc[]> {
  const docs: PiqaDoc[] = [];
  for (const file of files) {
    const records = await readRecords(file);
    const parsed = records.map((rec) => {
      const { r, obj } = RecordReader.of(file, rec);
      const doc = {
        goal: r.string(obj, 'goal'),
        sol1: r.string(obj, 'sol1'),
        sol2: r.string(obj, 'sol2'),
      };
      const label = obj.label === undefined ? undefined : r.integer(obj, 'label');
      if (label !== undefined && label !== 0 && label !== 1)
        r.fail('label', `expected 0 or 1, got ${label}`);
      return { doc, label };
    });
    let labels = parsed.map((p) => p.label);
    if (labels.some((l) => l === undefined)) {
      const labelsFile = labelsFileFor(file);
      labels = await readLabels(labelsFile, parsed.length, [0, 1]).catch((err: unknown) => {
        if (err instanceof InputError && err.message.endsWith('file not found')) {
          throw new InputError(
            { file, field: 'label' },
            `records have no label and ${labelsFile} (the labels file PIQA ships beside its data) is missing`,
          );
        }
        throw err;
      });
    }
    parsed.forEach((p, i) => docs.push({ ...p.doc, label: labels[i] as number }));
  }
  return docs;
}
