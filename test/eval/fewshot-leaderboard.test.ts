import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArcDoc } from '../../src-worker/eval/docs';
import { loadArc } from '../../src-worker/eval/loaders/arc';
import { loadWinogrande } from '../../src-worker/eval/loaders/winogrande';
import { findTask } from '../../src-worker/eval/registry';
import { leaderboardPlan } from '../../src-worker/eval/tasks/fewshot';
import { buildWinograndeInstances } from '../../src-worker/eval/tasks/winogrande';
import { expectOptionContexts, expectSharedContexts, range, sha } from '../helpers/contexts';
import { REPO_ROOT, sharedData } from '../helpers/paths';

/**
 * `--fewshot-sampler leaderboard` against test/reference/fewshot/leaderboard.json, made by
 * Debian's python3 with its own `random` following the pre-0.4 harness's evaluator and base.py.
 */
interface Context {
  position: number;
  doc: number;
  fewshot: number[];
}

interface Fixtures {
  arc_challenge: {
    evalDocs: number;
    order: number[];
    orderSha256: string;
    indices: number[][];
    contexts: (Context & { sha256: string; chars: number })[];
  };
  winogrande: {
    evalDocs: number;
    pool: number;
    order: number[];
    drawn: number[][];
    contexts: (Context & { sha256: string[]; chars: number[]; continuation: string })[];
  };
}

const FX = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/fewshot/leaderboard.json'), 'utf8'),
) as Fixtures;

const ARC_DIR = sharedData('benchmarks/arc');

describe('pre-0.4 lm-evaluation-harness (Open LLM Leaderboard) few-shot draws', () => {
  it('ARC-Challenge test: the shuffled document order and the 25 examples of the first 50 evaluated', async () => {
    const train = await loadArc([sharedData('benchmarks/arc/ARC-Challenge-Train.jsonl')]);
    const test = await loadArc([sharedData('benchmarks/arc/ARC-Challenge-Test.jsonl')]);
    expect(test).toHaveLength(FX.arc_challenge.evalDocs);
    const index = new Map(train.map((d, i) => [d, i]));
    const plan = leaderboardPlan<ArcDoc>(test, { shots: 25, train, seed: 0 });
    expect(sha(plan.map((p) => p.index).join(','))).toBe(FX.arc_challenge.orderSha256);
    const first = plan.slice(0, 50);
    expect(first.map((p) => p.index)).toEqual(FX.arc_challenge.order);
    expect(first.map((p) => p.examples.map((d) => index.get(d)))).toEqual(FX.arc_challenge.indices);
  });

  it('ARC-Challenge: whole contexts as the arc_challenge task builds them, in document order', async () => {
    const task = findTask('arc_challenge');
    const built = await task.build({ data: ARC_DIR, seed: 42, fewshotSampler: 'leaderboard' });
    if (built.kind !== 'multiple_choice') throw new Error('arc_challenge is multiple choice');
    expect(built.instances).toHaveLength(1172);
    expectSharedContexts(built.instances, FX.arc_challenge.contexts);
  });

  it('--limit keeps the first N documents of the shuffled order, their contexts unchanged', async () => {
    const task = findTask('arc_challenge');
    const all = await task.build({ data: ARC_DIR, seed: 42, fewshotSampler: 'leaderboard' });
    const some = await task.build({
      data: ARC_DIR,
      seed: 42,
      limit: 50,
      fewshotSampler: 'leaderboard',
    });
    if (all.kind !== 'multiple_choice' || some.kind !== 'multiple_choice') {
      throw new Error('arc_challenge is multiple choice');
    }
    const kept = [...FX.arc_challenge.order].sort((a, b) => a - b);
    expect(some.instances).toEqual(kept.map((i) => all.instances[i]));
    // lm-eval 0.4 keeps the first 50 of the file instead.
    const lmEval = await task.build({ data: ARC_DIR, seed: 42, limit: 50 });
    if (lmEval.kind !== 'multiple_choice') throw new Error('multiple choice');
    expect(lmEval.instances.map((i) => (i.doc as ArcDoc).id)).not.toEqual(
      some.instances.map((i) => (i.doc as ArcDoc).id),
    );
  });

  it("WinoGrande dev, 5-shot: the shuffled order and 5 draws per document over winogrande_xl's 40,398", () => {
    const plan = leaderboardPlan<number>(range(FX.winogrande.evalDocs), {
      shots: 5,
      train: range(FX.winogrande.pool),
      seed: 0,
      // 0.4's extra draw for WinoGrande is not the pre-0.4 harness's: it draws k from train.
      extraDraw: true,
      limit: 50,
    });
    expect(plan.map((p) => p.index)).toEqual(FX.winogrande.order);
    expect(plan.map((p) => p.examples)).toEqual(FX.winogrande.drawn);
  });

  it('WinoGrande: whole contexts (both options) with examples from train_m', async () => {
    const dev = await loadWinogrande([sharedData('benchmarks/winogrande/dev.jsonl')]);
    const train = await loadWinogrande([sharedData('benchmarks/winogrande/train_m.jsonl')]);
    const index = new Map(train.map((d, i) => [d, i]));
    const plan = leaderboardPlan(dev, { shots: 5, train, seed: 0 });
    const instances = buildWinograndeInstances(dev, {
      shots: 5,
      train,
      seed: 0,
      sampler: 'leaderboard',
    });
    for (const c of FX.winogrande.contexts) {
      expect(plan[c.position]?.index).toBe(c.doc);
      expect(plan[c.position]?.examples.map((d) => index.get(d))).toEqual(c.fewshot);
      const inst = instances[c.doc];
      expect(inst?.doc).toBe(dev[c.doc]);
      expectOptionContexts(inst, c);
    }
  });

  it('zero-shot tasks are shuffled and limited the same way; too many shots is a clear error', () => {
    const plan = leaderboardPlan(range(1172), { shots: 0, train: [], seed: 0, limit: 50 });
    expect(plan.map((p) => p.index)).toEqual(FX.arc_challenge.order);
    expect(plan.every((p) => p.examples.length === 0)).toBe(true);
    expect(() => leaderboardPlan(range(3), { shots: 4, train: range(3), seed: 0 })).toThrow(
      'few-shot: 4 examples asked, the training split has 3',
    );
  });
});
