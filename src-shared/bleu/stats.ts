import { rstripPython, splitWhitespace, tokenize13a } from './tokenize13a';

/** BLEU's n-gram order: sacreBLEU's MAX_NGRAM_ORDER. */
export const MAX_NGRAM_ORDER = 4;

/**
 * The sufficient statistics of one segment (or, summed, of a corpus), as sacreBLEU's
 * `_compute_segment_statistics` returns them: hypothesis length, closest reference length,
 * clipped n-gram matches and hypothesis n-gram counts per order.
 */
export interface BleuStats {
  sysLen: number;
  refLen: number;
  correct: number[];
  total: number[];
}

/** Tokens of a segment as sacreBLEU sees them: right-stripped, 13a-tokenized, split. */
export function bleuTokens(segment: string): string[] {
  return splitWhitespace(tokenize13a(rstripPython(segment)));
}

/** n-gram counts for n = 1..4, keyed by the n tokens joined with a space (tokens hold none). */
function ngramCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** sacreBLEU's `_get_closest_ref_len`: the reference length nearest the hypothesis, ties → shorter. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let bestDiff = -1;
  let best = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (bestDiff === -1 || diff < bestDiff) {
      bestDiff = diff;
      best = len;
    } else if (diff === bestDiff && len < best) {
      best = len;
    }
  }
  return best;
}

/**
 * Statistics of one hypothesis against one or more references: each n-gram's match is clipped
 * to the largest count it has in any single reference.
 * @throws Error when no reference is given.
 */
export function segmentStats(hypothesis: string, references: readonly string[]): BleuStats {
  if (references.length === 0) throw new Error('BLEU: a segment needs at least one reference');
  const refMax = new Map<string, number>();
  const refLens: number[] = [];
  for (const ref of references) {
    const tokens = bleuTokens(ref);
    refLens.push(tokens.length);
    for (const [key, count] of ngramCounts(tokens)) {
      refMax.set(key, Math.max(refMax.get(key) ?? 0, count));
    }
  }
  const hypTokens = bleuTokens(hypothesis);
  const correct = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  const total = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  for (const [key, count] of ngramCounts(hypTokens)) {
    const order = key.split(' ').length - 1;
    total[order] = (total[order] ?? 0) + count;
    correct[order] = (correct[order] ?? 0) + Math.min(count, refMax.get(key) ?? 0);
  }
  return {
    sysLen: hypTokens.length,
    refLen: closestRefLen(hypTokens.length, refLens),
    correct,
    total,
  };
}

/** Element-wise sum of segment statistics (sacreBLEU's `sum_of_lists`). */
export function sumStats(stats: readonly BleuStats[]): BleuStats {
  const sum: BleuStats = {
    sysLen: 0,
    refLen: 0,
    correct: new Array<number>(MAX_NGRAM_ORDER).fill(0),
    total: new Array<number>(MAX_NGRAM_ORDER).fill(0),
  };
  for (const s of stats) {
    sum.sysLen += s.sysLen;
    sum.refLen += s.refLen;
    for (let n = 0; n < MAX_NGRAM_ORDER; n++) {
      sum.correct[n] = (sum.correct[n] ?? 0) + (s.correct[n] ?? 0);
      sum.total[n] = (sum.total[n] ?? 0) + (s.total[n] ?? 0);
    }
  }
  return sum;
}
