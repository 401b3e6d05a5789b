import * as tf from '@tensorflow/tfjs-core';
import type { CausalLM, KvCache } from '../model/types';
import type { EncodedRequest } from './encode';

/**
 * How the choices of one question are run through the model:
 * - `shared`: the token prefix all choices share (the context, usually) runs once with a KV
 *   cache, then only the differing tails run, as one padded batch over that cache;
 * - `batched`: all choices in one right-padded batch, each from its first token;
 * - `separate`: one forward pass per choice (the baseline the others are measured against).
 * All three give the same numbers up to float rounding.
 */
export type ScoringMode = 'shared' | 'batched' | 'separate';

/** Summed log-probability of a continuation and whether greedy decoding would produce it. */
export interface ContinuationScore {
  logprob: number;
  isGreedy: boolean;
}

/**
 * lm-eval's model input for a request: `(context + continuation)[-(maxLen + 1):][:-1]`. The
 * last token is only a target; a context too long for the model loses tokens on the left.
 */
interface Row {
  input: number[];
  /** Target ids of the continuation, predicted at the last `targets.length` input positions. */
  targets: number[];
}

function toRow(r: EncodedRequest, maxLen: number): Row {
  if (r.continuationIds.length === 0) throw new Error('scoring: empty continuation');
  const full = [...r.contextIds, ...r.continuationIds].slice(-(maxLen + 1));
  return { input: full.slice(0, -1), targets: r.continuationIds.slice(-maxLen) };
}

function commonPrefixLength(rows: readonly Row[]): number {
  const first = rows[0]?.input ?? [];
  let n = first.length;
  for (const row of rows) {
    let i = 0;
    while (i < n && row.input[i] === first[i]) i++;
    n = i;
  }
  return n;
}

/** Right-pads rows of ids into one [B, T] int32 tensor; causal attention ignores the padding. */
function padded(rows: readonly number[][], padId: number): tf.Tensor2D {
  const t = Math.max(...rows.map((r) => r.length));
  const data = new Int32Array(rows.length * t).fill(padId);
  rows.forEach((r, b) => data.set(r, b * t));
  return tf.tensor2d(data, [rows.length, t], 'int32');
}

/**
 * A cache of batch 1 repeated for a batch of `b` rows, so the tails can attend to it. Built
 * with concat, not tile: tfjs-wasm's Tile kernel is ~25x slower on these shapes.
 */
function tileCache(cache: KvCache, b: number): KvCache {
  const repeat = (t: tf.Tensor4D): tf.Tensor4D =>
    tf.concat(
      Array.from({ length: b }, () => t),
      0,
    ); // [b, Hkv, P, hd]
  const layers = cache.layers.map((l) => ({ k: repeat(l.k), v: repeat(l.v) }));
  return {
    length: cache.length,
    layers,
    dispose: () => layers.forEach((l) => tf.dispose([l.k, l.v])),
  };
}

/**
 * Log-probs of the targets from a stack of logit rows [N, V]: `rowOf[i]` is the logit row that
 * predicts target i. Only those rows get a log-softmax, so a 32k vocabulary costs N rows, not
 * B·T. Returns per-target log-prob and whether the target was the argmax.
 */
async function gatherTargets(
  logits: tf.Tensor2D,
  rowOf: readonly number[],
  targets: readonly number[],
): Promise<{ logprobs: Float32Array; greedy: Int32Array }> {
  const [lp, am] = tf.tidy(() => {
    const v = logits.shape[1];
    const rows = tf.gather(logits, tf.tensor1d(rowOf as number[], 'int32')); // [N, V]
    const logSoftmax = tf.logSoftmax(rows); // [N, V]
    const flat = tf.reshape(logSoftmax, [-1]); // [N·V]
    const index = tf.tensor1d(
      targets.map((t, i) => i * v + t),
      'int32',
    ); // [N]
    return [tf.gather(flat, index), tf.cast(tf.argMax(rows, 1), 'int32')]; // [N], [N]
  });
  const logprobs = (await lp.data()) as Float32Array;
  const greedy = (await am.data()) as Int32Array;
  tf.dispose([lp, am]);
  return { logprobs, greedy };
}

/** Sums per-target values back into one score per row. */
function perRow(
  rows: readonly Row[],
  logprobs: Float32Array,
  greedy: Int32Array,
): ContinuationScore[] {
  let k = 0;
  return rows.map((row) => {
    let logprob = 0;
    let isGreedy = true;
    for (const t of row.targets) {
      logprob += logprobs[k] as number;
      if (greedy[k] !== t) isGreedy = false;
      k++;
    }
    return { logprob, isGreedy };
  });
}

/** Index of the logit row predicting target j of a row whose input has length `len`. */
function targetPosition(row: Row, j: number): number {
  return row.input.length - row.targets.length + j;
}

async function scoreBatched(
  model: CausalLM,
  rows: readonly Row[],
  padId: number,
): Promise<ContinuationScore[]> {
  const ids = padded(
    rows.map((r) => r.input),
    padId,
  );
  const t = ids.shape[1];
  const v = model.config.vocabSize;
  const logits = tf.tidy(() => tf.reshape(model.logits(ids), [rows.length * t, v]) as tf.Tensor2D); // [B·T, V]
  ids.dispose();
  const rowOf: number[] = [];
  const targets: number[] = [];
  rows.forEach((row, b) =>
    row.targets.forEach((tok, j) => {
      rowOf.push(b * t + targetPosition(row, j));
      targets.push(tok);
    }),
  );
  try {
    const { logprobs, greedy } = await gatherTargets(logits, rowOf, targets);
    return perRow(rows, logprobs, greedy);
  } finally {
    logits.dispose();
  }
}

async function scoreShared(
  model: CausalLM,
  rows: readonly Row[],
  padId: number,
): Promise<ContinuationScore[]> {
  // Every row keeps at least one token of its own to run over the cache.
  const p = Math.min(commonPrefixLength(rows), ...rows.map((r) => r.input.length - 1));
  if (p < 1 || rows.length < 2) return scoreBatched(model, rows, padId);

  // Only prefix positions that predict a continuation token are kept (usually none: the
  // shared prefix is the context, whose last position belongs to every row's own tail), so
  // the prefix's vocabulary projection runs for those alone (at least one row).
  const positions = rows.flatMap((row) => row.targets.map((_, j) => targetPosition(row, j)));
  const from = Math.min(p, ...positions);
  const prefixIds = tf.tensor2d(rows[0]?.input.slice(0, p) ?? [], [1, p], 'int32');
  const prefix = model.logitsWithCache(prefixIds, null, Math.max(1, p - from)); // [1, max(1, P - from), V]
  prefixIds.dispose();
  const tiled = tileCache(prefix.cache, rows.length);
  prefix.cache.dispose();
  const tailIds = padded(
    rows.map((r) => r.input.slice(p)),
    padId,
  );
  const s = tailIds.shape[1];
  const tail = model.logitsWithCache(tailIds, tiled); // logits [B, S, V]
  tailIds.dispose();
  tiled.dispose();
  tail.cache.dispose();
  const v = model.config.vocabSize;
  const logits = tf.tidy(() => {
    const tailRows = tf.reshape(tail.logits, [rows.length * s, v]) as tf.Tensor2D; // [B·S, V]
    if (from === p) return tailRows;
    const prefixRows = tf.reshape(prefix.logits, [p - from, v]); // [P - from, V]
    return tf.concat([prefixRows, tailRows]) as tf.Tensor2D; // [P - from + B·S, V]
  });
  tf.dispose([prefix.logits, tail.logits]);

  const rowOf: number[] = [];
  const targets: number[] = [];
  rows.forEach((row, b) =>
    row.targets.forEach((tok, j) => {
      const pos = targetPosition(row, j);
      rowOf.push(pos < p ? pos - from : p - from + b * s + (pos - p));
      targets.push(tok);
    }),
  );
  try {
    const { logprobs, greedy } = await gatherTargets(logits, rowOf, targets);
    return perRow(rows, logprobs, greedy);
  } finally {
    logits.dispose();
  }
}

/**
 * Summed log-probability of each continuation given its context (lm-eval's `loglikelihood`),
 * for the requests of one question. See `ScoringMode` for how the work is batched.
 */
export async function scoreRequests(
  model: CausalLM,
  requests: readonly EncodedRequest[],
  options: { mode?: ScoringMode; padId?: number } = {},
): Promise<ContinuationScore[]> {
  const maxLen = model.config.maxPositionEmbeddings;
  const rows = requests.map((r) => toRow(r, maxLen));
  const padId = options.padId ?? model.config.padTokenId ?? model.config.eosTokenId;
  const mode = options.mode ?? 'shared';
  if (mode === 'shared') return scoreShared(model, rows, padId);
  if (mode === 'batched') return scoreBatched(model, rows, padId);
  const out: ContinuationScore[] = [];
  for (const row of rows) out.push(...(await scoreBatched(model, [row], padId)));
  return out;
}
