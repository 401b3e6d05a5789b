import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusBleu, sentenceBleu, tokenize13a, type BleuScore } from '../../src-shared/bleu';
import { rstripPython } from '../../src-shared/bleu/tokenize13a';
import { REPO_ROOT } from '../helpers/paths';

interface Fixtures {
  tokenize13a: { input: string; output: string }[];
  sentence: { name: string; hypothesis: string; references: string[]; expected: BleuScore }[];
  corpus: { name: string; hypotheses: string[]; references: string[][]; expected: BleuScore }[];
}

// Made by sacreBLEU 2.6.0: python3 test/reference/sacrebleu/make_fixtures.py (see its README).
const fixtures = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/reference/sacrebleu/fixtures.json'), 'utf8'),
) as Fixtures;

/** Same arithmetic as sacreBLEU in float64: agreement to 1e-9 relative. */
function expectSameScore(actual: BleuScore, expected: BleuScore): void {
  expect(actual.sysLen).toBe(expected.sysLen);
  expect(actual.refLen).toBe(expected.refLen);
  expect(actual.score).toBeCloseTo(expected.score, 9);
  expect(actual.bp).toBeCloseTo(expected.bp, 12);
  actual.precisions.forEach((p, i) => expect(p).toBeCloseTo(expected.precisions[i] ?? NaN, 9));
}

describe('13a tokenizer', () => {
  it.each(fixtures.tokenize13a)('tokenizes $input as sacreBLEU does', ({ input, output }) => {
    expect(tokenize13a(rstripPython(input))).toBe(output);
  });
});

describe('sentence BLEU (exp smoothing, effective order)', () => {
  it.each(fixtures.sentence)('$name', ({ hypothesis, references, expected }) => {
    expectSameScore(sentenceBleu(hypothesis, references), expected);
  });

  it('gives 100 for an exact match and 0 for an empty hypothesis (hand-checked)', () => {
    expect(sentenceBleu('a b c d e', ['a b c d e']).score).toBeCloseTo(100, 12);
    expect(sentenceBleu('', ['a b c']).score).toBe(0);
  });

  it('is case-sensitive', () => {
    expect(sentenceBleu('The Cat', ['The Cat']).score).toBeCloseTo(100, 12);
    expect(sentenceBleu('the cat', ['The Cat']).score).toBe(0);
  });
});

describe('corpus BLEU (sacreBLEU defaults)', () => {
  it.each(fixtures.corpus)('$name', ({ hypotheses, references, expected }) => {
    expectSameScore(corpusBleu(hypotheses, references), expected);
  });

  it('hand-checked: one 3-token hypothesis, brevity penalty and exp smoothing', () => {
    // hyp "a b c", ref "a b c d": p1 = 3/3, p2 = 2/2, p3 = 1/1, p4: no 4-gram → total 0 →
    // the loop stops, p4 stays 0 and floors the log: score 0 without effective order.
    const s = corpusBleu(['a b c'], [['a b c d']]);
    expect(s.precisions).toEqual([100, 100, 100, 0]);
    expect(s.bp).toBeCloseTo(Math.exp(1 - 4 / 3), 12);
    expect(s.score).toBe(0);
  });

  it('rejects a reference stream of another length', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(/reference stream 1 has 1 segments/);
  });
});
