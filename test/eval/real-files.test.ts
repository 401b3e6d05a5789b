import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARC_EASY_SPLITS, ARC_SPLITS, loadArc } from '../../src-worker/eval/loaders/arc';
import { resolveSplits } from '../../src-worker/eval/loaders/splits';
import { loadWinogrande, WINOGRANDE_SPLITS } from '../../src-worker/eval/loaders/winogrande';
import { loadTranslation } from '../../src-worker/eval/loaders/wmt';
import { sharedData } from '../helpers/paths';
import { expectInputError, tempWriter } from './file-helpers';

/**
 * The loaders on the real published files of ../shared/data/benchmarks (SOURCES.md gives their
 * origin, counts and checksums); read in place, never copied.
 */
const { dir, write } = tempWriter('plw-eval-real-');
const inputError = (p: Promise<unknown>): Promise<string> => expectInputError(p);

describe('ARC-Challenge (AI2 jsonl)', () => {
  const arcDir = (): string => sharedData('benchmarks', 'arc');

  it('reads Train/Dev/Test: 1,119 / 299 / 1,172 questions, 3- and 5-choice ones included', async () => {
    const counts: Record<string, [number, Record<number, number>]> = {};
    for (const split of ['Train', 'Dev', 'Test']) {
      const docs = await loadArc([join(arcDir(), `ARC-Challenge-${split}.jsonl`)]);
      const byChoices: Record<number, number> = {};
      for (const d of docs) byChoices[d.choices.length] = (byChoices[d.choices.length] ?? 0) + 1;
      counts[split] = [docs.length, byChoices];
      expect(docs.every((d) => d.gold >= 0 && d.gold < d.choices.length)).toBe(true);
    }
    expect(counts).toEqual({
      Train: [1119, { 3: 1, 4: 1117, 5: 1 }],
      Dev: [299, { 3: 3, 4: 295, 5: 1 }],
      Test: [1172, { 3: 4, 4: 1165, 5: 3 }],
    });
  });

  it('maps digit answer keys ("1"–"4") to the index of that label, and 5-choice letters past D', async () => {
    const test = await loadArc([join(arcDir(), 'ARC-Challenge-Test.jsonl')]);
    const digit = test[44];
    expect(digit).toMatchObject({ id: 'NYSEDREGENTS_2008_8_34', labels: ['1', '2', '3', '4'] });
    expect(digit?.gold).toBe(1); // answerKey "2"
    expect(test.filter((d) => /^\d$/.test(d.labels[d.gold] as string))).toHaveLength(22);
    const three = test[385];
    expect(three).toMatchObject({ id: 'NYSEDREGENTS_2012_8_42', gold: 1 });
    expect(three?.choices).toHaveLength(3);
    const five = test[836];
    expect(five).toMatchObject({ id: 'TIMSS_1995_8_J7', labels: ['A', 'B', 'C', 'D', 'E'] });
    expect(five?.gold).toBe(3);
    expect(test[0]).toMatchObject({ id: 'Mercury_7175875', gold: 2 });
  });

  it('finds test and train in the published folder, and keeps Challenge and Easy files apart', () => {
    const found = resolveSplits(arcDir(), ARC_SPLITS);
    expect(found.eval).toEqual([join(arcDir(), 'ARC-Challenge-Test.jsonl')]);
    expect(found.train).toEqual([join(arcDir(), 'ARC-Challenge-Train.jsonl')]);
    const both = join(dir, 'arc-both');
    for (const set of ['Challenge', 'Easy']) {
      for (const split of ['Train', 'Test']) write(`arc-both/ARC-${set}-${split}.jsonl`, '');
    }
    expect(resolveSplits(both, ARC_EASY_SPLITS)).toEqual({
      eval: [join(both, 'ARC-Easy-Test.jsonl')],
      train: [join(both, 'ARC-Easy-Train.jsonl')],
    });
    expect(resolveSplits(both, ARC_SPLITS).eval).toEqual([join(both, 'ARC-Challenge-Test.jsonl')]);
  });

  it('names file, line and field of a malformed AI2 record', async () => {
    const good = {
      id: 'x',
      question: {
        stem: 'q',
        choices: [
          { text: 'a', label: '1' },
          { text: 'b', label: '2' },
        ],
      },
      answerKey: '1',
    };
    const file = write(
      'arc-bad/ARC-Challenge-Test.jsonl',
      [
        good,
        { ...good, question: { stem: 'q', choices: [{ text: 'a' }, { text: 'b', label: '2' }] } },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const msg = await inputError(loadArc([file]));
    expect(msg).toContain(file);
    expect(msg).toContain('line 2');
    expect(msg).toContain('question.choices[0].label');
  });
});

describe('WinoGrande 1.1', () => {
  const wg = (name: string): string => sharedData('benchmarks', 'winogrande', name);

  it('reads dev.jsonl with dev-labels.lst beside it: 1,267 sentences, answers agree with the labels', async () => {
    const docs = await loadWinogrande([wg('dev.jsonl')]);
    expect(docs).toHaveLength(1267);
    expect(docs.filter((d) => d.answer === 2)).toHaveLength(639);
    expect(docs[0]).toEqual({
      sentence: 'Sarah was a much better surgeon than Maria so _ always got the easier cases.',
      option1: 'Sarah',
      option2: 'Maria',
      answer: 2,
    });
    expect(docs.every((d) => d.sentence.split('_').length === 2)).toBe(true);
  });

  it('reads train_xs/s/m (160 / 640 / 2,558) and takes few-shot examples from the largest present', async () => {
    const sizes = [];
    for (const n of ['xs', 's', 'm'])
      sizes.push((await loadWinogrande([wg(`train_${n}.jsonl`)])).length);
    expect(sizes).toEqual([160, 640, 2558]);
    const splits = resolveSplits(wg('dev.jsonl'), WINOGRANDE_SPLITS);
    expect(splits.train).toEqual([wg('train_m.jsonl')]);
  });

  it('fails, naming the labels file and line, when an inline answer disagrees with it', async () => {
    const row = { qID: 'a', sentence: 'A _ b.', option1: 'x', option2: 'y', answer: '1' };
    const dev = write('wg-bad/dev.jsonl', `${JSON.stringify(row)}\n${JSON.stringify(row)}\n`);
    const labels = write('wg-bad/dev-labels.lst', '1\n2\n');
    const msg = await inputError(loadWinogrande([dev]));
    expect(msg).toContain(labels);
    expect(msg).toContain('line 2');
    expect(msg).toContain('disagrees');
  });
});

describe('WMT16 newstest2016 (plain aligned text)', () => {
  const wmt = (): string => sharedData('benchmarks', 'wmt16');

  it('pairs the 2,999 lines in both directions from the folder', async () => {
    const deEn = await loadTranslation(wmt(), { src: 'de', tgt: 'en' }, 'newstest2016');
    const enDe = await loadTranslation(wmt(), { src: 'en', tgt: 'de' }, 'newstest2016');
    expect(deEn).toHaveLength(2999);
    expect(enDe).toHaveLength(2999);
    expect(deEn[0]).toEqual({
      source: 'Obama empfängt Netanyahu',
      reference: 'Obama receives Netanyahu',
    });
    expect(enDe[0]).toEqual({
      source: 'Obama receives Netanyahu',
      reference: 'Obama empfängt Netanyahu',
    });
    expect(enDe.every((d, i) => d.source === deEn[i]?.reference)).toBe(true);
  });

  it('takes the source file directly, its reference found beside it', async () => {
    const docs = await loadTranslation(
      join(wmt(), 'newstest2016.en'),
      { src: 'en', tgt: 'de' },
      'newstest2016',
    );
    expect(docs[1]?.reference).toBe(
      'Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.',
    );
  });

  it('says which file is missing when a folder lacks the reference', async () => {
    const only = write('wmt-half/newstest2016.de', 'Hallo\n');
    const msg = await inputError(
      loadTranslation(join(only, '..'), { src: 'de', tgt: 'en' }, 'newstest2016'),
    );
    expect(msg).toContain('wmt-half');
    expect(msg).toContain('no en reference file found');
  });
});
