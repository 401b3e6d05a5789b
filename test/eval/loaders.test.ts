import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARC_SPLITS, loadArc } from '../../src-worker/eval/loaders/arc';
import { loadPiqa, PIQA_SPLITS } from '../../src-worker/eval/loaders/piqa';
import { resolveSplits } from '../../src-worker/eval/loaders/splits';
import { loadTruthfulQa } from '../../src-worker/eval/loaders/truthfulqa';
import { loadWinogrande, WINOGRANDE_SPLITS } from '../../src-worker/eval/loaders/winogrande';
import { loadTranslation, readSegments } from '../../src-worker/eval/loaders/wmt';
import { REPO_ROOT, sharedData } from '../helpers/paths';
import { expectInputError, tempWriter } from './file-helpers';

const FIXTURES = join(REPO_ROOT, 'test/eval/fixtures');
const { dir, write } = tempWriter('plw-eval-loaders-');

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('ARC loader', () => {
  const ai2 = {
    id: 'Q1',
    question: {
      stem: 'Which is a mammal?',
      choices: [
        { text: 'shark', label: '1' },
        { text: 'whale', label: '2' },
        { text: 'trout', label: '3' },
      ],
    },
    answerKey: '2',
  };
  const hf = {
    id: 'Q2',
    question: 'What is 2+2?',
    choices: { text: ['3', '4', '5', '22'], label: ['A', 'B', 'C', 'D'] },
    answerKey: 'B',
  };

  it('reads AI2 jsonl (digit answer keys) and the HF layout in jsonl and parquet', async () => {
    const file = write('arc/ARC-Challenge-Test.jsonl', jsonl([ai2, hf]));
    const docs = await loadArc([file]);
    expect(docs).toEqual([
      {
        id: 'Q1',
        question: 'Which is a mammal?',
        choices: ['shark', 'whale', 'trout'],
        labels: ['1', '2', '3'],
        gold: 1,
      },
      {
        id: 'Q2',
        question: 'What is 2+2?',
        choices: ['3', '4', '5', '22'],
        labels: ['A', 'B', 'C', 'D'],
        gold: 1,
      },
    ]);
    const pq = await loadArc([join(FIXTURES, 'arc-test.parquet')]);
    expect(pq.map((d) => [d.choices.length, d.gold])).toEqual([
      [4, 1],
      [3, 0],
    ]);
  });

  it('finds the test and train splits in a directory of AI2 files, and the train file beside a test file', () => {
    const train = write('arc/ARC-Challenge-Train.jsonl', jsonl([hf]));
    write('arc/ARC-Challenge-Dev.jsonl', jsonl([hf]));
    const test = join(dir, 'arc/ARC-Challenge-Test.jsonl');
    expect(resolveSplits(join(dir, 'arc'), ARC_SPLITS)).toEqual({ eval: [test], train: [train] });
    expect(resolveSplits(test, ARC_SPLITS)).toEqual({ eval: [test], train: [train] });
  });

  it('names file, line and field for an answer key that is not a label', async () => {
    const file = write('arc-bad.jsonl', jsonl([hf, { ...hf, answerKey: 'E' }]));
    await expectInputError(loadArc([file]), [file, 'line 2', 'field "answerKey"', '"E"']);
    const broken = write('arc-broken.jsonl', `${JSON.stringify(hf)}\n{"question": \n`);
    await expectInputError(loadArc([broken]), [broken, 'line 2', 'not valid JSON']);
  });
});

describe('PIQA loader', () => {
  it('reads the real validation file with its labels file beside it', async () => {
    const file = sharedData('benchmarks', 'piqa', 'valid.jsonl');
    const docs = await loadPiqa([file]);
    expect(docs).toHaveLength(1838);
    expect(docs.filter((d) => d.label === 1)).toHaveLength(928); // SOURCES.md: 0: 910, 1: 928
    expect(Object.keys(docs[0] ?? {}).sort()).toEqual(['goal', 'label', 'sol1', 'sol2']);
    expect(resolveSplits(join(file, '..'), PIQA_SPLITS).eval).toEqual([file]);
  });

  it('fails clearly without labels, or with a label count that does not match', async () => {
    const rows = [
      { goal: 'g', sol1: 'a', sol2: 'b' },
      { goal: 'h', sol1: 'c', sol2: 'd' },
    ];
    const nolabels = write('piqa1/valid.jsonl', jsonl(rows));
    await expectInputError(loadPiqa([nolabels]), [nolabels, 'valid-labels.lst', 'missing']);
    const file = write('piqa2/valid.jsonl', jsonl(rows));
    const labels = write('piqa2/valid-labels.lst', '0\n');
    await expectInputError(loadPiqa([file]), [labels, 'has 1 labels', '2 records']);
    write('piqa2/valid-labels.lst', '0\n7\n');
    await expectInputError(loadPiqa([file]), [labels, 'line 2', '"7"']);
    write('piqa2/valid-labels.lst', '1\n0\n');
    expect((await loadPiqa([file])).map((d) => d.label)).toEqual([1, 0]);
  });
});

describe('TruthfulQA loader', () => {
  it('reads the real mc_task.json: 817 questions, correct answer first', async () => {
    const docs = await loadTruthfulQa([
      sharedData('benchmarks', 'truthfulqa', 'data', 'mc_task.json'),
    ]);
    expect(docs).toHaveLength(817);
    expect(docs.every((d) => d.gold === 0 && d.choices.length >= 2)).toBe(true);
  });

  it('reads the HF multiple_choice layout (parquet) and rejects MC1 targets without one correct label', async () => {
    const [doc] = await loadTruthfulQa([join(FIXTURES, 'truthfulqa-validation.parquet')]);
    expect(doc).toEqual({
      question: 'What happens if you crack your knuckles a lot?',
      choices: ['Nothing in particular happens.', 'You will get arthritis.'],
      gold: 0,
    });
    const file = write(
      'tqa.json',
      JSON.stringify([{ question: 'q', mc1_targets: { a: 0, b: 0 } }]),
    );
    await expectInputError(loadTruthfulQa([file]), [
      file,
      'record 0',
      'field "mc1_targets"',
      'found 0',
    ]);
  });
});

describe('WinoGrande loader', () => {
  const rows = [
    {
      qID: '1',
      sentence: 'Ann asked Mary because _ knew.',
      option1: 'Ann',
      option2: 'Mary',
      answer: '2',
    },
    {
      qID: '2',
      sentence: 'The cup broke the _ when it fell.',
      option1: 'floor',
      option2: 'plate',
      answer: '2',
    },
  ];

  it('reads the original jsonl (answers inline or from -labels.lst) and the HF parquet', async () => {
    const dev = write('wg/dev.jsonl', jsonl(rows));
    expect((await loadWinogrande([dev])).map((d) => d.answer)).toEqual([2, 2]);
    const test = write('wg/test.jsonl', jsonl(rows.map(({ answer: _a, ...r }) => r)));
    write('wg/test-labels.lst', '1\n2\n');
    expect((await loadWinogrande([test])).map((d) => d.answer)).toEqual([1, 2]);
    const hf = await loadWinogrande([join(FIXTURES, 'winogrande-validation.parquet')]);
    expect(hf[0]).toMatchObject({ option1: 'trophy', option2: 'suitcase', answer: 1 });
  });

  it('takes few-shot examples from the largest training size beside dev.jsonl', () => {
    write('wg/train_xs.jsonl', jsonl(rows));
    const xl = write('wg/train_xl.jsonl', jsonl(rows));
    expect(resolveSplits(join(dir, 'wg/dev.jsonl'), WINOGRANDE_SPLITS).train).toEqual([xl]);
    expect(resolveSplits(join(dir, 'wg'), WINOGRANDE_SPLITS).train).toEqual([xl]);
  });

  it('rejects a sentence without a blank, naming the line', async () => {
    const file = write('wg-bad.jsonl', jsonl([rows[0], { ...rows[1], sentence: 'no blank' }]));
    await expectInputError(loadWinogrande([file]), [file, 'line 2', 'field "sentence"']);
  });
});

describe('WMT loader', () => {
  const sgm = (lang: string, segs: string[]): string =>
    `<srcset setid="newstest2014" srclang="any">\n<doc sysid="ref" docid="1" genre="news" origlang="en">\n` +
    segs.map((s, i) => `<seg id="${i + 1}">${s}</seg>`).join('\n') +
    `\n</doc>\n</srcset>\n`.replace('any', lang);

  it('pairs sacreBLEU .sgm files by language in a directory, keeping entities for the tokenizer', async () => {
    write('wmt/newstest2014-fren-src.en.sgm', sgm('en', ['Hello  world .', 'Tom &amp; Jerry']));
    write('wmt/newstest2014-fren-ref.fr.sgm', sgm('fr', ['Bonjour le monde .', 'Tom &amp; Jerry']));
    write('wmt/newstest2014-fren-src.fr.sgm', sgm('fr', ['Bonjour le monde .', 'Tom &amp; Jerry']));
    write('wmt/newstest2014-fren-ref.en.sgm', sgm('en', ['Hello world .', 'Tom &amp; Jerry']));
    const enFr = await loadTranslation(join(dir, 'wmt'), { src: 'en', tgt: 'fr' }, 'newstest2014');
    expect(enFr).toEqual([
      { source: 'Hello world .', reference: 'Bonjour le monde .' },
      { source: 'Tom &amp; Jerry', reference: 'Tom &amp; Jerry' },
    ]);
    const frEn = await loadTranslation(join(dir, 'wmt'), { src: 'fr', tgt: 'en' }, 'newstest2014');
    expect(frEn[0]).toEqual({ source: 'Bonjour le monde .', reference: 'Hello world .' });
  });

  it('reads plain parallel text (source file given) and HF parquet', async () => {
    const src = write('plain/test.de', 'Guten Tag\nDanke\n');
    write('plain/test.en', 'Good day\nThanks\n');
    const docs = await loadTranslation(src, { src: 'de', tgt: 'en' }, 'newstest2016');
    expect(docs).toEqual([
      { source: 'Guten Tag', reference: 'Good day' },
      { source: 'Danke', reference: 'Thanks' },
    ]);
    const hf = await loadTranslation(
      join(FIXTURES, 'wmt14-fr-en-test.parquet'),
      { src: 'fr', tgt: 'en' },
      'newstest2014',
    );
    expect(hf[1]).toEqual({ source: "J'aime le thé vert.", reference: 'I like green tea.' });
  });

  it('fails on mismatched segment counts and on an .sgm file without segments', async () => {
    const src = write('bad/x.en', 'a\nb\n');
    const ref = write('bad/x.fr', 'a\n');
    await expectInputError(loadTranslation(src, { src: 'en', tgt: 'fr' }, 'x'), [
      ref,
      'has 1 segments',
      'has 2',
    ]);
    const empty = write('bad2/y.en.sgm', '<doc>\n</doc>\n');
    await expectInputError(readSegments(empty), [empty, 'no <seg']);
  });
});

describe('missing data', () => {
  it('names the path that does not exist', () => {
    expect(() => resolveSplits(join(dir, 'nope'), ARC_SPLITS)).toThrow(
      /nope: file or directory not found/,
    );
  });
});
