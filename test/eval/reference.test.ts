/**
 * Requests built and scored against lm-evaluation-harness conventions, checked with
 * test/reference/lmeval/make_fixtures.py: that script renders lm-eval's own task YAMLs and
 * winogrande preprocessing, tokenizes with sentencepiece as HFLM (add_bos_token=False) and
 * scores with the PyTorch LLaMA of test/reference/torch. Here: the same context/continuation
 * strings (SHA-256), the same token ids, and summed log-probs within 2e-3 absolute (float32
 * forward on both sides, sums of up to ~100 terms), in each of the three scoring modes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArcDoc, WinograndeDoc } from '../../src-worker/eval/docs';
import { encodeRequest } from '../../src-worker/eval/encode';
import { generateInstance } from '../../src-worker/eval/evaluate';
import type { MultipleChoiceInstance } from '../../src-worker/eval/instances';
import { parseArcRecord } from '../../src-worker/eval/loaders/arc';
import { loadPiqa } from '../../src-worker/eval/loaders/piqa';
import { loadTruthfulQa } from '../../src-worker/eval/loaders/truthfulqa';
import { scoreRequests, type ScoringMode } from '../../src-worker/eval/scoring';
import { buildChoiceInstances } from '../../src-worker/eval/tasks/multiple-choice';
import {
  ARC_TEMPLATE,
  PIQA_TEMPLATE,
  TRUTHFULQA_TEMPLATE,
} from '../../src-worker/eval/tasks/templates';
import { translationPrompt } from '../../src-worker/eval/tasks/translation';
import { buildWinograndeInstances } from '../../src-worker/eval/tasks/winogrande';
import type { LoadedModel } from '../../src-worker/model/load';
import type { Tokenizer } from '../../src-worker/tokenizers/types';
import { REPO_ROOT, sharedData } from '../helpers/paths';
import { loadFormulaModel, useCpu } from './helpers';

interface FixtureRequest {
  contextIds: number[];
  continuationIds: number[];
  loglikelihood: number;
  isGreedy: boolean;
  sha256: string;
  context?: string;
  continuation?: string;
}

interface FixtureCase {
  task: string;
  name: string;
  shots: number;
  gold: number;
  choiceLengths: number[];
  requests: FixtureRequest[];
  docIndex?: number;
  doc?: Record<string, unknown>;
  train?: Record<string, unknown>[];
}

interface FixtureGeneration {
  pair: { src: string; tgt: string };
  source: string;
  promptIds: number[];
  ids: number[];
  prediction: string;
}

const FIXTURES = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/lmeval/fixtures.json'), 'utf8'),
) as { cases: FixtureCase[]; generations: FixtureGeneration[] };
const TOLERANCE = 2e-3;

let loaded: LoadedModel & { tokenizer: Tokenizer };
beforeAll(async () => {
  await useCpu();
  loaded = await loadFormulaModel();
});
afterAll(() => loaded.model.dispose());

const arcDoc = (v: unknown): ArcDoc => parseArcRecord('fixture', { value: v, where: 'doc' });
const winoDoc = (v: Record<string, unknown>): WinograndeDoc => ({
  sentence: v.sentence as string,
  option1: v.option1 as string,
  option2: v.option2 as string,
  answer: Number(v.answer) as 1 | 2,
});

/** Our task code's instance for a fixture case (seed irrelevant: pools of one example). */
async function instanceFor(c: FixtureCase): Promise<MultipleChoiceInstance> {
  const fewshot = { shots: c.shots, seed: 42 };
  switch (c.task) {
    case 'arc_challenge':
      return buildChoiceInstances([arcDoc(c.doc)], ARC_TEMPLATE, {
        ...fewshot,
        train: (c.train ?? []).map(arcDoc),
      })[0] as MultipleChoiceInstance;
    case 'piqa': {
      const docs = await loadPiqa([sharedData('benchmarks', 'piqa', 'valid.jsonl')]);
      return buildChoiceInstances([docs[c.docIndex ?? -1]!], PIQA_TEMPLATE, {
        ...fewshot,
        train: [],
      })[0]!;
    }
    case 'truthfulqa_mc1': {
      const docs = await loadTruthfulQa([
        sharedData('benchmarks', 'truthfulqa', 'data', 'mc_task.json'),
      ]);
      return buildChoiceInstances([docs[c.docIndex ?? -1]!], TRUTHFULQA_TEMPLATE, {
        ...fewshot,
        train: [],
      })[0]!;
    }
    case 'winogrande':
      return buildWinograndeInstances([winoDoc(c.doc ?? {})], {
        ...fewshot,
        train: (c.train ?? []).map(winoDoc),
      })[0]!;
    default:
      return {
        doc: null,
        requests: c.requests.map((r) => ({
          context: r.context ?? '',
          continuation: r.continuation ?? '',
        })),
        choiceLengths: c.choiceLengths,
        gold: c.gold,
      };
  }
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe('the lm-eval fixtures', () => {
  it('cover every task the checks below loop over (an emptied fixture fails here)', () => {
    const perTask = new Map<string, number>();
    for (const c of FIXTURES.cases) perTask.set(c.task, (perTask.get(c.task) ?? 0) + 1);
    expect(Object.fromEntries(perTask)).toEqual({
      arc_challenge: 3,
      piqa: 3,
      winogrande: 3,
      truthfulqa_mc1: 2,
      raw: 1,
    });
    expect(FIXTURES.cases.map((c) => c.requests.length)).toEqual([
      4, 3, 4, 2, 2, 2, 4, 4, 2, 2, 2, 3,
    ]);
    expect(FIXTURES.generations).toHaveLength(2);
  });
});

describe.each(FIXTURES.cases.map((c) => [`${c.task}: ${c.name}`, c] as const))(
  '%s',
  (_label, c) => {
    it('builds the same requests as lm-eval (strings, gold, acc_norm lengths)', async () => {
      const inst = await instanceFor(c);
      expect(inst.requests.map((r) => sha256(`${r.context}\u0000${r.continuation}`))).toEqual(
        c.requests.map((r) => r.sha256),
      );
      if (c.task !== 'raw') {
        expect(inst.gold).toBe(c.gold);
        expect(inst.choiceLengths).toEqual(c.choiceLengths);
      }
    });

    it('tokenizes context and continuation as HFLM without BOS', async () => {
      const inst = await instanceFor(c);
      const encoded = inst.requests.map((r) => encodeRequest(loaded.tokenizer, r));
      expect(encoded).toEqual(
        c.requests.map((r) => ({ contextIds: r.contextIds, continuationIds: r.continuationIds })),
      );
    });

    // Every case in the default mode; the other two on the short cases (the CPU backend is slow
    // on 32000-wide logits of long TruthfulQA/PIQA rows, and test/eval/scoring.test.ts checks
    // that the modes agree).
    const modes: ScoringMode[] = ['arc_challenge', 'winogrande', 'raw'].includes(c.task)
      ? ['shared', 'batched', 'separate']
      : ['shared'];
    it.each(modes)('matches the PyTorch log-likelihoods (%s)', async (mode) => {
      const requests = c.requests.map((r) => ({
        contextIds: r.contextIds,
        continuationIds: r.continuationIds,
      }));
      const scores = await scoreRequests(loaded.model, requests, { mode, padId: 0 });
      // One score per lm-eval request, in order: a missing or extra score fails here.
      expect(c.requests.length).toBeGreaterThan(0);
      expect(scores).toHaveLength(c.requests.length);
      scores.forEach((s, i) => {
        const want = c.requests[i] as FixtureRequest;
        expect(Math.abs(s.logprob - want.loglikelihood)).toBeLessThan(TOLERANCE);
        expect(s.isGreedy).toBe(want.isGreedy);
      });
    });
  },
);

describe('translation generation', () => {
  it.each(FIXTURES.generations.map((g) => [`${g.pair.src}-${g.pair.tgt}`, g] as const))(
    '%s: same prompt ids (no BOS) and the same greedy text, cut at the newline',
    async (_label, g) => {
      const prompt = translationPrompt(g.source, g.pair);
      expect(loaded.tokenizer.encode(prompt)).toEqual(g.promptIds);
      const out = await generateInstance(
        loaded.model,
        loaded.tokenizer,
        { doc: null, prompt, until: ['\n'], reference: '' },
        g.ids.length,
      );
      expect(out.prediction).toBe(g.prediction);
    },
  );
});
