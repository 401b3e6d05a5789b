import { describe, expect, it } from 'vitest';
import { promptText } from '../../src-shared/alpaca';
import { Rng } from '../../src-shared/random';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { batchesPerEpoch, paddingFraction, planEpoch } from '../../src-worker/train/batching';
import { collate } from '../../src-worker/train/collate';
import { encodeExample, targetCounts, targetWeights } from '../../src-worker/train/examples';

const tok = new ByteTokenizer();
const record = { instruction: 'Add 2 and 3.', input: '', output: '5' };

describe('encodeExample', () => {
  it('is BOS + template + output + EOS with the prompt region of BOS + template', () => {
    const ex = encodeExample(record, tok, 512);
    const prompt = promptText(record);
    expect(prompt.endsWith('### Response:')).toBe(true);
    expect(ex.ids).toEqual([tok.bosId, ...tok.encode(`${prompt}5`), tok.eosId]);
    expect(ex.promptLen).toBe(1 + tok.encode(prompt).length);
    expect(tok.decode(ex.ids.slice(ex.promptLen))).toBe('5');
  });

  it('weights prompt targets by PLW and completion targets (EOS included) by 1', () => {
    const ex = encodeExample(record, tok, 512);
    const w = targetWeights(ex, 0.25);
    expect(w.length).toBe(ex.ids.length - 1);
    // The target at position t is ids[t + 1]: the last prompt token is ids[promptLen - 1].
    expect(w[ex.promptLen - 2]).toBe(0.25);
    expect(Array.from(w.slice(ex.promptLen - 1))).toEqual([1, 1]); // "5" and EOS
    expect(targetCounts(ex)).toEqual({ prompt: ex.promptLen - 1, completion: 2 });
  });

  it('truncates to maxLen, dropping EOS and, if need be, the completion', () => {
    const full = encodeExample(record, tok, 512);
    const cut = encodeExample(record, tok, full.promptLen - 5);
    expect(cut.ids).toEqual(full.ids.slice(0, full.promptLen - 5));
    expect(cut.promptLen).toBe(cut.ids.length);
    expect(targetCounts(cut).completion).toBe(0);
  });
});

describe('collate', () => {
  it('shifts, right-pads with weight 0 and sums the weights', () => {
    const a = { ids: [1, 10, 11, 12, 2], promptLen: 3 };
    const b = { ids: [1, 20, 2], promptLen: 2 };
    const mb = collate([a, b], 0.5, 0);
    expect([mb.batch, mb.length]).toEqual([2, 4]);
    expect(Array.from(mb.ids)).toEqual([1, 10, 11, 12, 1, 20, 0, 0]);
    expect(Array.from(mb.targets)).toEqual([10, 11, 12, 2, 20, 2, 0, 0]);
    expect(Array.from(mb.weights)).toEqual([0.5, 0.5, 1, 1, 0.5, 1, 0, 0]);
    expect(Array.from(mb.promptMask)).toEqual([1, 1, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(mb.completionMask)).toEqual([0, 0, 1, 1, 0, 1, 0, 0]);
    expect(mb.weightSum).toBe(4.5);
    expect([mb.promptTargets, mb.completionTargets, mb.tokens]).toEqual([3, 3, 6]);
  });
});

describe('planEpoch', () => {
  const rng = new Rng(5);
  const lengths = Array.from({ length: 1000 }, () => 20 + rng.int(400));
  const opts = { batchSize: 32, microBatchSize: 4, shuffle: true, windowBatches: 8 };

  it('covers every example once per epoch in global batches of micro-batches', () => {
    const plan = planEpoch(lengths, new Rng(1), opts);
    expect(plan).toHaveLength(batchesPerEpoch(1000, 32));
    const seen = plan.flat(2).sort((x, y) => x - y);
    expect(seen).toEqual(lengths.map((_, i) => i));
    for (const batch of plan.slice(0, -1)) {
      expect(batch).toHaveLength(8);
      expect(batch.every((m) => m.length === 4)).toBe(true);
    }
  });

  it('is reproducible from the RNG state and differs between epochs', () => {
    const r = new Rng(9);
    const state = r.state();
    const first = planEpoch(lengths, r, opts);
    const second = planEpoch(lengths, r, opts);
    expect(planEpoch(lengths, new Rng(state), opts)).toEqual(first);
    expect(second).not.toEqual(first);
  });

  it('keeps padding small by bucketing lengths (vs. plain shuffled batches)', () => {
    const bucketed = paddingFraction(planEpoch(lengths, new Rng(1), opts), lengths);
    const plain = paddingFraction(
      planEpoch(lengths, new Rng(1), { ...opts, windowBatches: 0 }),
      lengths,
    );
    expect(plain).toBeGreaterThan(0.2);
    expect(bucketed).toBeLessThan(0.05);
  });

  it('keeps the dataset order without shuffling and bucketing', () => {
    const plan = planEpoch([5, 6, 7, 8, 9], new Rng(1), {
      batchSize: 2,
      microBatchSize: 1,
      shuffle: false,
      windowBatches: 0,
    });
    expect(plan).toEqual([[[0], [1]], [[2], [3]], [[4]]]);
  });

  it('rejects a micro-batch size that does not divide the batch', () => {
    expect(() => planEpoch(lengths, new Rng(1), { ...opts, microBatchSize: 5 })).toThrow(/divide/);
  });
});
