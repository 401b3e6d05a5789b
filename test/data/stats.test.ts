import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InstructionRecord } from '../../src-shared/alpaca';
import { readDataset } from '../../src-worker/data/reader';
import { datasetStats, type DatasetStats } from '../../src-worker/data/stats';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { loadTokenizer } from '../../src-worker/tokenizers/index';
import type { Tokenizer } from '../../src-worker/tokenizers/types';
import { sharedData } from '../helpers/paths';

const byte = new ByteTokenizer();

/**
 * Reference values from numpy and the sentencepiece library:
 *   /usr/bin/python3 test/reference/data-stats/make_fixtures.py > test/reference/data-stats/expected.json
 * Token counts and totals must be identical; means and stds agree to 1e-9 (float summation order).
 */
type Ref = DatasetStats & { transformed: number };
const REF = JSON.parse(
  readFileSync(new URL('../reference/data-stats/expected.json', import.meta.url), 'utf8'),
) as Record<string, Record<'byte' | 'sentencepiece', Record<'plain' | 'short', Ref>>>;

function expectStats(got: DatasetStats, want: Ref): void {
  expect(got.count).toBe(want.count);
  expect(got.totalTokens).toBe(want.totalTokens);
  for (const f of ['instruction', 'input', 'completion'] as const) {
    expect(got[f].mean).toBeCloseTo(want[f].mean, 9);
    expect(got[f].std).toBeCloseTo(want[f].std, 9);
  }
  expect(got.completionPromptRatio).toBeCloseTo(want.completionPromptRatio, 12);
}

describe('datasetStats', () => {
  it('computes population statistics of hand-counted records', async () => {
    // Byte counts: instruction 2, 4, 6; input 0, 3, 0; output 10, 2, 6.
    const records: InstructionRecord[] = [
      { instruction: 'ab', input: '', output: '0123456789' },
      { instruction: 'abcd', input: 'xyz', output: '01' },
      { instruction: 'abcdef', input: '', output: '012345' },
    ];
    const s = await datasetStats(records, byte);
    expect(s.count).toBe(3);
    expect(s.instruction.mean).toBe(4);
    expect(s.instruction.std).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.input.mean).toBe(1);
    expect(s.input.std).toBeCloseTo(Math.sqrt(2), 12);
    expect(s.completion.mean).toBe(6);
    expect(s.completion.std).toBeCloseTo(Math.sqrt(32 / 3), 12);
    expect(s.totalTokens).toBe(33);
    expect(s.completionPromptRatio).toBeCloseTo(6 / 5, 12);
  });

  it('takes async iterables, and a single record has std 0', async () => {
    async function* one() {
      yield { instruction: 'é', input: '', output: '🙂' };
    }
    const s = await datasetStats(one(), byte);
    expect(s).toEqual({
      count: 1,
      instruction: { mean: 2, std: 0 },
      input: { mean: 0, std: 0 },
      completion: { mean: 4, std: 0 },
      totalTokens: 6,
      completionPromptRatio: 2,
    });
  });

  it('stays exact where a naive sum of squares would cancel', async () => {
    // Counts of 10^9 and 10^9 + 1 alternating: E[x^2] - E[x]^2 loses everything in float64
    // (x^2 ~ 1e18, spacing 128), Welford keeps the std at 0.5. The stand-in tokenizer returns
    // an array-like of the count written in the text, so no 10^9-element array is built.
    const countingTokenizer: Tokenizer = {
      kind: 'byte',
      vocabSize: 1,
      bosId: 0,
      eosId: 0,
      padId: 0,
      encode: (text) => ({ length: Number(text) }) as unknown as number[],
      decode: () => '',
    };
    const records = function* () {
      for (let i = 0; i < 1000; i++) {
        yield { instruction: String(1e9 + (i % 2)), input: '', output: '1' };
      }
    };
    const s = await datasetStats(records(), countingTokenizer);
    expect(s.instruction.mean).toBe(1e9 + 0.5);
    expect(s.instruction.std).toBeCloseTo(0.5, 9);
    expect(s.totalTokens).toBe(1000 * (1e9 + 0.5) + 1000);
  });

  it('refuses an empty dataset', async () => {
    await expect(datasetStats([], byte)).rejects.toThrow(/at least one record/);
  });
});

describe('datasetStats against numpy (byte tokenizer)', () => {
  it.each([
    'gsm_8k_train.json',
    'gpteacher_roleplay-simple-deduped-roleplay-dataset.json',
    'gpteacher_toolformer-dedupe-only-dataset.json',
  ])('%s, plain and short', async (name) => {
    const { records } = await readDataset(sharedData('instructions', name));
    const ref = REF[name]?.byte;
    if (!ref) throw new Error(`no reference for ${name}`);
    expectStats(await datasetStats(records, byte), ref.plain);
    expectStats(await datasetStats(records, byte, { short: true }), ref.short);
  });
});

describe('datasetStats against the sentencepiece library (LLaMA tokenizer.model)', () => {
  it.each(['gsm_8k_train.json', 'gpteacher_roleplay-simple-deduped-roleplay-dataset.json'])(
    '%s, plain and short',
    async (name) => {
      const tokenizer = await loadTokenizer(sharedData('tokenizer.model'));
      const { records } = await readDataset(sharedData('instructions', name));
      const ref = REF[name]?.sentencepiece;
      if (!ref) throw new Error(`no reference for ${name}`);
      expectStats(await datasetStats(records, tokenizer), ref.plain);
      expectStats(await datasetStats(records, tokenizer, { short: true }), ref.short);
    },
  );
});
