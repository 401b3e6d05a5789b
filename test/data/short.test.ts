import { describe, expect, it } from 'vitest';
import type { InstructionRecord } from '../../src-shared/alpaca';
import {
  SHORT_INSTRUCTION_NO_INPUT,
  SHORT_INSTRUCTION_WITH_INPUT,
  shortCompletion,
} from '../../src-worker/data/short';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import type { Tokenizer } from '../../src-worker/tokenizers/types';

const byte = new ByteTokenizer();

/** One token per whitespace-separated word: makes "longer" differ from byte length. */
const wordTokenizer: Tokenizer = {
  kind: 'byte',
  vocabSize: 1,
  bosId: 0,
  eosId: 0,
  padId: 0,
  encode: (text) =>
    text
      .split(/\s+/)
      .filter(Boolean)
      .map(() => 0),
  decode: () => '',
};

describe('shortCompletion (docs/METHOD.md "The short-completion transform")', () => {
  it('uses the exact wording of docs/METHOD.md "The short-completion transform"', () => {
    expect(SHORT_INSTRUCTION_NO_INPUT).toBe(
      'Predict the prompt that generated the following AI output.',
    );
    expect(SHORT_INSTRUCTION_WITH_INPUT).toBe(
      'Predict the prompt that generated the below AI output given the following context. Context: ',
    );
  });

  it('swaps a record whose completion is longer than instruction + input, without input', () => {
    const r: InstructionRecord = { instruction: 'Hi', input: '', output: 'Hello!' };
    const s = shortCompletion(r, byte);
    expect(s.transformed).toBe(true);
    expect(s.record).toEqual({
      instruction: 'Predict the prompt that generated the following AI output.',
      input: 'Hello!',
      output: 'Hi',
    });
    expect(s.counts).toEqual({ instruction: 58, input: 6, output: 2 });
  });

  it('puts the original input after "Context: " when there is one', () => {
    const r: InstructionRecord = { instruction: 'Sum', input: '1 2', output: 'The sum is 3.' };
    const s = shortCompletion(r, byte);
    expect(s.record).toEqual({
      instruction:
        'Predict the prompt that generated the below AI output given the following context. Context: 1 2',
      input: 'The sum is 3.',
      output: 'Sum',
    });
  });

  it('counts the prompt as instruction + input, and keeps records that are not longer', () => {
    // 5 bytes of output vs 3 + 2 of prompt: equal, so kept; 6 vs 5: swapped.
    const equal = { instruction: 'abc', input: 'de', output: 'fghij' };
    expect(shortCompletion(equal, byte)).toEqual({
      record: equal,
      transformed: false,
      counts: { instruction: 3, input: 2, output: 5 },
    });
    expect(shortCompletion({ ...equal, output: 'fghijk' }, byte).transformed).toBe(true);
    // The instruction alone is shorter than the output, but instruction + input is not.
    expect(
      shortCompletion({ instruction: 'ab', input: 'cdef', output: 'xyz' }, byte).transformed,
    ).toBe(false);
  });

  it('compares token counts of the given tokenizer, not characters', () => {
    // 4 words vs 1 + 1 words: swapped by words, though the prompt has more characters.
    const r = { instruction: 'Summarize', input: 'antidisestablishment', output: 'a b c d' };
    expect(shortCompletion(r, wordTokenizer).transformed).toBe(true);
    expect(shortCompletion(r, byte).transformed).toBe(false);
  });
});
