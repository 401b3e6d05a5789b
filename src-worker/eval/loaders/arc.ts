import type { ArcDoc } from '../docs';
import { RecordReader } from './fields';
import { readRecords, type SourcedRecord } from './records';
import type { SplitNaming } from './splits';

/**
 * AI2's `ARC-{Challenge,Easy}-{Train,Dev,Test}.jsonl` and Hugging Face's
 * `ARC-{Challenge,Easy}/{split}-*.parquet`: in a folder holding both sets, the set's own files
 * come first.
 */
export function arcSplits(set: 'Challenge' | 'Easy'): SplitNaming {
  const other = set === 'Challenge' ? /easy/i : /challenge/i;
  const own = (split: string): RegExp => new RegExp(`${set}.*${split}`, 'i');
  const notOther = (re: RegExp): RegExp => new RegExp(`^(?!.*${other.source})${re.source}`, 'i');
  return {
    eval: [own('test'), notOther(/test[-.]/), notOther(/.*test/)],
    train: [own('train'), notOther(/train[-.]/), notOther(/.*train/)],
    trainWords: ['train'],
  };
}

export const ARC_SPLITS: SplitNaming = arcSplits('Challenge');
export const ARC_EASY_SPLITS: SplitNaming = arcSplits('Easy');

/**
 * One ARC record in either published layout: AI2's `{question: {stem, choices: [{text,
 * label}]}, answerKey}` or Hugging Face's `{question, choices: {text: [], label: []}, answerKey}`.
 * Labels are letters or, for a few questions, digits "1".."4": `gold` is the index of
 * `answerKey` among the record's own labels, as lm-eval's `choices.label.index(answerKey)`.
 */
export function parseArcRecord(file: string, rec: SourcedRecord): ArcDoc {
  const { r, obj } = RecordReader.of(file, rec);
  let question: string;
  let choices: string[];
  let labels: string[];
  if (typeof obj.question === 'object' && obj.question !== null) {
    const q = r.object(obj.question, 'question');
    question = r.string(q, 'stem', 'question.stem');
    const items = r
      .array(q.choices, 'question.choices')
      .map((c, i) => r.object(c, `question.choices[${i}]`));
    choices = items.map((c, i) => r.string(c, 'text', `question.choices[${i}].text`));
    labels = items.map((c, i) => r.string(c, 'label', `question.choices[${i}].label`));
  } else {
    question = r.string(obj, 'question');
    const c = r.object(obj.choices, 'choices');
    choices = r.strings(c, 'text', 'choices.text');
    labels = r.strings(c, 'label', 'choices.label');
    if (labels.length !== choices.length) {
      r.fail('choices.label', `${labels.length} labels for ${choices.length} choices`);
    }
  }
  if (choices.length < 2) r.fail('choices', `needs at least 2 choices, has ${choices.length}`);
  const answerKey = r.string(obj, 'answerKey');
  const gold = labels.indexOf(answerKey);
  if (gold < 0) r.fail('answerKey', `"${answerKey}" is not one of the labels ${labels.join(', ')}`);
  const id = typeof obj.id === 'string' ? obj.id : rec.where;
  return { id, question, choices, labels, gold };
}

export async function loadArc(files: readonly string[]): Promise<ArcDoc[]> {
  const docs: ArcDoc[] = [];
  for (const file of files) {
    for (const rec of await readRecords(file)) docs.push(parseArcRecord(file, rec));
  }
  return docs;
}
