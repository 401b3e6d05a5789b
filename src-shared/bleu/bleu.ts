import { MAX_NGRAM_ORDER, segmentStats, sumStats, type BleuStats } from './stats';

/** A BLEU result as sacreBLEU reports it: score and precisions in percent. */
export interface BleuScore {
  score: number;
  /** p1..p4 in percent, after smoothing (sacreBLEU's `precisions`). */
  precisions: number[];
  /** Brevity penalty, in [0, 1]. */
  bp: number;
  sysLen: number;
  refLen: number;
}

/** sacreBLEU's `my_log`: log floored so a zero precision gives a huge negative, not -Infinity. */
function flooredLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/**
 * BLEU from summed statistics with sacreBLEU's `exp` smoothing (NIST / mteval-v13a, method 3
 * of Chen & Cherry 2014): the k-th order with no match gets precision 100 / (2^k · total).
 * Transcribes `BLEU.compute_bleu` (sacrebleu/metrics/bleu.py, v2.x) including its early exit
 * when nothing matches and its stop at the first order with no hypothesis n-gram.
 * @param effectiveOrder average only over the orders the hypothesis has n-grams for
 *   (sacreBLEU's `effective_order`, on for sentence BLEU).
 * @example computeBleu({sysLen: 4, refLen: 4, correct: [4, 3, 2, 1], total: [4, 3, 2, 1]}, false).score // 100
 */
export function computeBleu(stats: BleuStats, effectiveOrder: boolean): BleuScore {
  const { sysLen, refLen, correct, total } = stats;
  let bp = 1;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  const precisions = new Array<number>(MAX_NGRAM_ORDER).fill(0);
  if (!correct.some((c) => c !== 0)) return { score: 0, precisions, bp, sysLen, refLen };

  let smoothMteval = 1;
  let order = MAX_NGRAM_ORDER;
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) {
    const t = total[n - 1] ?? 0;
    const c = correct[n - 1] ?? 0;
    if (t === 0) break;
    if (effectiveOrder) order = n;
    if (c === 0) {
      smoothMteval *= 2;
      precisions[n - 1] = 100 / (smoothMteval * t);
    } else {
      precisions[n - 1] = (100 * c) / t;
    }
  }
  let logSum = 0;
  for (const p of precisions.slice(0, order)) logSum += flooredLog(p);
  return { score: bp * Math.exp(logSum / order), precisions, bp, sysLen, refLen };
}

/**
 * Corpus BLEU with sacreBLEU's defaults (13a tokenization, `exp` smoothing, case-sensitive, no
 * effective order): `sacrebleu.corpus_bleu(hypotheses, references)`.
 * @param references one stream per reference set, each as long as `hypotheses`.
 * @throws Error when a reference stream's length differs from the hypotheses'.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: ReadonlyArray<readonly string[]>,
): BleuScore {
  if (references.length === 0) throw new Error('BLEU: no reference stream');
  references.forEach((stream, k) => {
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `BLEU: reference stream ${k + 1} has ${stream.length} segments, hypotheses have ${hypotheses.length}`,
      );
    }
  });
  const stats = hypotheses.map((hyp, i) =>
    segmentStats(
      hyp,
      references.map((stream) => stream[i] as string),
    ),
  );
  return computeBleu(sumStats(stats), false);
}

/**
 * Sentence BLEU as `sacrebleu.sentence_bleu(hypothesis, references)`: `exp` smoothing and
 * effective order, so short sentences are not zeroed by missing 4-grams.
 */
export function sentenceBleu(hypothesis: string, references: readonly string[]): BleuScore {
  return computeBleu(segmentStats(hypothesis, references), true);
}
