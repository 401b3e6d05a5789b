import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src-shared/errors';
import type { ArcDoc, WinograndeDoc } from '../../src-worker/eval/docs';
import { evaluate, type ChoiceSample, type GenerationSample } from '../../src-worker/eval/evaluate';
import { FewShotSampler } from '../../src-worker/eval/tasks/fewshot';
import {
  buildDemoChoiceInstances,
  buildDemoGenerationInstances,
  DEMO_GEN_MAX_NEW_TOKENS,
  demoItems,
} from '../../src-worker/eval/tasks/demo';
import { buildChoiceInstances } from '../../src-worker/eval/tasks/multiple-choice';
import {
  ARC_TEMPLATE,
  TRUTHFULQA_PRIMER,
  TRUTHFULQA_TEMPLATE,
} from '../../src-worker/eval/tasks/templates';
import { translationPrompt } from '../../src-worker/eval/tasks/translation';
import { buildWinograndeInstances } from '../../src-worker/eval/tasks/winogrande';
import { createRandomLlama, type LlamaModel } from '../../src-worker/model/llama';
import { findPreset } from '../../src-worker/model/presets';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { sharedData } from '../helpers/paths';
import { useCpu } from './helpers';

const arc = (q: string, choices: string[], gold: number): ArcDoc => ({
  id: q,
  question: q,
  choices,
  labels: choices.map((_, i) => 'ABCD'[i] as string),
  gold,
});

describe('lm-eval prompts', () => {
  it('ARC/PIQA: "Question: …\\nAnswer:" with " {choice}" continuations and few-shot examples joined by blank lines', () => {
    const train = [arc('Q1?', ['a1', 'b1'], 1)];
    const [inst] = buildChoiceInstances([arc('Q?', ['x', 'yy'], 0)], ARC_TEMPLATE, {
      shots: 1,
      train,
      seed: 1,
    });
    expect(inst?.requests).toEqual([
      { context: 'Question: Q1?\nAnswer: b1\n\nQuestion: Q?\nAnswer:', continuation: ' x' },
      { context: 'Question: Q1?\nAnswer: b1\n\nQuestion: Q?\nAnswer:', continuation: ' yy' },
    ]);
    expect(inst?.choiceLengths).toEqual([1, 2]);
  });

  it('TruthfulQA: the six-question primer, then "Q: {question}\\nA:"', () => {
    expect(TRUTHFULQA_PRIMER.match(/^Q: /gm)).toHaveLength(6);
    expect(
      TRUTHFULQA_PRIMER.startsWith('Q: What is human life expectancy in the United States?\n'),
    ).toBe(true);
    expect(TRUTHFULQA_PRIMER.endsWith('A: The 1992 Olympics were held in Barcelona, Spain.')).toBe(
      true,
    );
    const text = TRUTHFULQA_TEMPLATE.text({ question: 'Is the sky blue?', choices: [], gold: 0 });
    expect(text).toBe(`${TRUTHFULQA_PRIMER}\n\nQ: Is the sky blue?\nA:`);
  });

  it('WinoGrande: options in the context, the rest of the sentence as the shared continuation', () => {
    const doc: WinograndeDoc = {
      sentence: 'The trophy did not fit in the suitcase because the _ was too big.',
      option1: 'trophy',
      option2: 'suitcase',
      answer: 1,
    };
    const shot: WinograndeDoc = {
      sentence: 'Ann thanked Bo because _ helped.',
      option1: 'Ann',
      option2: 'Bo',
      answer: 2,
    };
    const [inst] = buildWinograndeInstances([doc], { shots: 1, train: [shot], seed: 3 });
    const prefix = 'Ann thanked Bo because Bo helped.\n\n';
    expect(inst?.requests).toEqual([
      {
        context: `${prefix}The trophy did not fit in the suitcase because the trophy`,
        continuation: ' was too big.',
      },
      {
        context: `${prefix}The trophy did not fit in the suitcase because the suitcase`,
        continuation: ' was too big.',
      },
    ]);
    expect(inst?.gold).toBe(0);
  });

  it('translation: the instruction-style prompt of docs/METHOD.md "Evaluation"', () => {
    expect(translationPrompt('Guten Tag', { src: 'de', tgt: 'en' })).toBe(
      'Translate the following from German to English.\nGuten Tag\n',
    );
  });
});

describe('few-shot sampling', () => {
  const pool = Array.from({ length: 50 }, (_, i) => i);

  it('draws k distinct examples, the same for the same seed, others for another seed', () => {
    const a = new FewShotSampler(pool, 42);
    const b = new FewShotSampler(pool, 42);
    const c = new FewShotSampler(pool, 43);
    const first = a.sample(25);
    expect(new Set(first).size).toBe(25);
    expect(b.sample(25)).toEqual(first);
    expect(c.sample(25)).not.toEqual(first);
    // One generator over all documents: the next document gets other examples.
    expect(a.sample(25)).not.toEqual(first);
  });

  it('refuses more examples than the training split has', () => {
    expect(() => new FewShotSampler([1, 2], 1).sample(3)).toThrow(
      /3 examples asked, the training split has 2/,
    );
  });
});

describe('demo tasks', () => {
  it('uses held-out items of every family, four choices, the gold one the answer', () => {
    const items = demoItems(12, 42);
    expect(new Set(items.map((i) => i.family)).size).toBe(6);
    const insts = buildDemoChoiceInstances(items);
    insts.forEach((inst, k) => {
      expect(inst.requests).toHaveLength(4);
      expect(inst.requests[inst.gold]?.continuation).toBe(` ${items[k]?.answer}`);
      // A plain question as ARC's "Question: …\nAnswer:", no Alpaca template.
      const doc = items[k]!;
      const input = doc.input ? `${doc.input}\n` : '';
      expect(inst.requests[0]?.context).toBe(`${doc.instruction}\n${input}Answer:`);
    });
  });
});

describe('evaluate (tiny random model)', () => {
  let model: LlamaModel;
  const tok = new ByteTokenizer();
  beforeAll(async () => {
    await useCpu();
    model = createRandomLlama(findPreset('tiny-byte')!.config, 3);
  });
  afterAll(() => model.dispose());

  it('PIQA on the real file: acc and acc_norm are the argmax rates of the logged samples', async () => {
    const r = await evaluate(model, tok, {
      task: 'piqa',
      data: sharedData('benchmarks', 'piqa', 'valid.jsonl'),
      limit: 3,
      seed: 42,
      logSamples: true,
    });
    expect(r.n).toBe(3);
    const samples = r.samples as ChoiceSample[];
    expect(samples).toHaveLength(3);
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
    const acc = samples.filter((s) => argmax(s.loglikelihoods) === s.gold).length / 3;
    expect(r.metrics).toEqual({ acc, acc_norm: expect.any(Number) as number });
    samples.forEach((s) => {
      const doc = s.doc as { sol1: string; sol2: string };
      const norm = [s.loglikelihoods[0]! / doc.sol1.length, s.loglikelihoods[1]! / doc.sol2.length];
      expect(s.predNorm).toBe(argmax(norm));
    });
  });

  it('translation: greedy generation cut at the newline, scored by corpus BLEU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plw-eval-wmt-'));
    writeFileSync(join(dir, 'newstest2016-deen-src.de'), 'Guten Tag\nDanke schön\n');
    writeFileSync(join(dir, 'newstest2016-deen-ref.en'), 'Good day\nThank you\n');
    const r = await evaluate(model, tok, {
      task: 'wmt16-de-en',
      data: dir,
      seed: 42,
      logSamples: true,
      maxNewTokens: 12,
    });
    expect(r.n).toBe(2);
    expect(Object.keys(r.metrics)).toEqual(['bleu']);
    const samples = r.samples as { prediction: string; reference: string }[];
    expect(samples.map((s) => s.reference)).toEqual(['Good day', 'Thank you']);
    samples.forEach((s) => expect(s.prediction).not.toContain('\n'));
  });

  it('demo_gen: the plain question, cut at the newline, at most the task cap of 64 tokens', async () => {
    const items = demoItems(6, 42);
    const insts = buildDemoGenerationInstances(items);
    insts.forEach((inst, k) => {
      expect(inst.prompt).toBe(buildDemoChoiceInstances(items)[k]?.requests[0]?.context);
      expect(inst.until).toEqual(['\n']);
    });
    const r = await evaluate(model, tok, {
      task: 'demo_gen',
      limit: 6,
      seed: 42,
      logSamples: true,
    });
    expect(r.n).toBe(6);
    const samples = r.samples as GenerationSample[];
    samples.forEach((s) => {
      expect(s.prediction).not.toContain('\n');
      // Bytes, each at most one character once decoded (invalid UTF-8 becomes U+FFFD).
      expect([...s.prediction].length).toBeLessThanOrEqual(DEMO_GEN_MAX_NEW_TOKENS);
    });
  });

  it('asks for a training split when few-shot examples are wanted and none is beside the data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plw-eval-arc-'));
    const file = join(dir, 'ARC-Challenge-Test.jsonl');
    writeFileSync(
      file,
      JSON.stringify({
        question: 'q',
        choices: { text: ['a', 'b'], label: ['A', 'B'] },
        answerKey: 'A',
      }) + '\n',
    );
    await expect(
      evaluate(model, tok, { task: 'arc_challenge', data: file, seed: 1 }),
    ).rejects.toThrow(UsageError);
    const r = await evaluate(model, tok, { task: 'arc_challenge', data: file, seed: 1, shots: 0 });
    expect(r.n).toBe(1);
  });
});
