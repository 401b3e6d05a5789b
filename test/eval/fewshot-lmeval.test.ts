import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArcDoc, WinograndeDoc } from '../../src-worker/eval/docs';
import { loadArc } from '../../src-worker/eval/loaders/arc';
import { loadWinogrande } from '../../src-worker/eval/loaders/winogrande';
import { PythonRandom } from '../../src-worker/eval/python-random';
import { findTask } from '../../src-worker/eval/registry';
import { LmEvalSampler } from '../../src-worker/eval/tasks/fewshot';
import { buildChoiceInstances } from '../../src-worker/eval/tasks/multiple-choice';
import { ARC_TEMPLATE } from '../../src-worker/eval/tasks/templates';
import { buildWinograndeInstances } from '../../src-worker/eval/tasks/winogrande';
import { expectOptionContexts, expectSharedContexts, range, sha } from '../helpers/contexts';
import { REPO_ROOT, sharedData } from '../helpers/paths';

/**
 * Few-shot draws and whole contexts against test/reference/fewshot/fixtures.json, made by
 * Debian's python3 with its own `random` following lm-evaluation-harness 0.4's sampler.
 */
interface Fixtures {
  random: {
    seed1234: {
      bits: number[];
      pool: number[];
      set: number[];
      smallK: number[];
      shuffle: number[];
    };
    seedBig: number[];
    seedNeg: number[];
  };
  arc_challenge: {
    indices: number[][];
    contexts: { doc: number; fewshot: number[]; sha256: string; chars: number }[];
  };
  winogrande: {
    pool: number;
    drawn: number[][];
    contexts: {
      doc: number;
      fewshot: number[];
      sha256: string[];
      chars: number[];
      continuation: string;
    }[];
  };
}

const FX = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/fewshot/fixtures.json'), 'utf8'),
) as Fixtures;

describe("CPython's random.Random", () => {
  it('seeds from an int and gives getrandbits, sample (both regimes) and shuffle bit for bit', () => {
    const r = new PythonRandom(1234);
    const f = FX.random.seed1234;
    const bits = [0, 0, 0, 0].map(() => r.getrandbits(32));
    for (const k of [1, 7, 31, 45]) bits.push(r.getrandbits(k));
    expect(bits).toEqual(f.bits);
    expect(r.sample(range(50), 10)).toEqual(f.pool);
    expect(r.sample(range(1119), 25)).toEqual(f.set);
    expect(r.sample(range(21), 5)).toEqual(f.smallK);
    const x = range(20);
    r.shuffle(x);
    expect(x).toEqual(f.shuffle);
    const big = new PythonRandom(2n ** 70n + 12345n);
    expect(range(5).map(() => big.randbelow(40398))).toEqual(FX.random.seedBig);
    expect(new PythonRandom(-7).sample(range(30), 6)).toEqual(FX.random.seedNeg);
  });
});

describe('lm-eval 0.4 few-shot contexts', () => {
  it('ARC-Challenge test, 25-shot from train: the examples of the first 50 documents', async () => {
    const train = await loadArc([sharedData('benchmarks/arc/ARC-Challenge-Train.jsonl')]);
    const test = await loadArc([sharedData('benchmarks/arc/ARC-Challenge-Test.jsonl')]);
    const index = new Map(train.map((d, i) => [d, i]));
    const sampler = new LmEvalSampler<ArcDoc>(train, false);
    const got = test.slice(0, 50).map((doc) => sampler.draw(doc, 25).map((d) => index.get(d)));
    expect(got).toEqual(FX.arc_challenge.indices);
  });

  it('ARC-Challenge: whole contexts, as the arc_challenge task builds them by default', async () => {
    const task = findTask('arc_challenge');
    const built = await task.build({ data: sharedData('benchmarks/arc'), seed: 42 });
    if (built.kind !== 'multiple_choice') throw new Error('arc_challenge is multiple choice');
    expect(built.instances).toHaveLength(1172);
    expectSharedContexts(built.instances, FX.arc_challenge.contexts);
    // Our own seeded draws stay available, and differ.
    const seeded = await task.build({
      data: sharedData('benchmarks/arc'),
      seed: 42,
      limit: 1,
      fewshotSampler: 'seeded',
    });
    if (seeded.kind !== 'multiple_choice') throw new Error('multiple choice');
    expect(sha(seeded.instances[0]?.requests[0]?.context ?? '')).not.toBe(
      FX.arc_challenge.contexts[0]?.sha256,
    );
  });

  it("WinoGrande dev, 5-shot: lm-eval's 6 draws per document over winogrande_xl's 40,398 train documents", () => {
    const sampler = new LmEvalSampler<number>(range(FX.winogrande.pool), true);
    const got = range(50).map(() => sampler.drawRaw(5));
    expect(got).toEqual(FX.winogrande.drawn);
  });

  it('WinoGrande: whole contexts (both options) with examples from train_m, the evaluated doc never among them', async () => {
    const dev = await loadWinogrande([sharedData('benchmarks/winogrande/dev.jsonl')]);
    const train = await loadWinogrande([sharedData('benchmarks/winogrande/train_m.jsonl')]);
    const instances = buildWinograndeInstances(dev.slice(0, 50), {
      shots: 5,
      train,
      seed: 0,
      extraDraw: true,
    });
    for (const c of FX.winogrande.contexts) {
      const inst = instances[c.doc];
      expectOptionContexts(inst, c);
    }
    // A drawn document equal to the evaluated one is dropped, as lm-eval's `x != doc`.
    const wg = (s: string): WinograndeDoc => ({
      sentence: s,
      option1: 'x',
      option2: 'y',
      answer: 1,
    });
    const doc = wg('A _ a.');
    const [inst] = buildWinograndeInstances([doc], {
      shots: 2,
      train: [wg('B _ b.'), { ...doc }, wg('C _ c.')],
      seed: 0,
      extraDraw: true,
    });
    const examples = (inst?.requests[0]?.context ?? '').split('\n\n').slice(0, -1).sort();
    expect(examples).toEqual(['B x b.', 'C x c.']);
  });

  it('ARC contexts through buildChoiceInstances equal the task path (one sampler per run)', async () => {
    const train = await loadArc([sharedData('benchmarks/arc/ARC-Challenge-Train.jsonl')]);
    const test = await loadArc([sharedData('benchmarks/arc/ARC-Challenge-Test.jsonl')]);
    const [first, second] = buildChoiceInstances(test.slice(0, 2), ARC_TEMPLATE, {
      shots: 25,
      train,
      seed: 0,
    });
    expect(sha(first?.requests[0]?.context ?? '')).toBe(FX.arc_challenge.contexts[0]?.sha256);
    expect(sha(second?.requests[0]?.context ?? '')).toBe(FX.arc_challenge.contexts[1]?.sha256);
  });
});
