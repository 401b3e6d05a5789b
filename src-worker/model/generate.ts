/**
 * Exports `greedyGenerate`: greedy decoding with a KV cache (each step feeds only the newest
 * token), stopping at EOS, at a token limit, or when the decoded text contains a stop string.
 * `useCache: false` recomputes the whole sequence every step: the reference the cache is
 * tested against.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CausalLM, KvCache } from './types';

export interface GenerateOptions {
  maxNewTokens: number;
  /** Stop after emitting this id (kept in `ids`); default: the model's EOS. null: never. */
  eosId?: number | null;
  /** Stop once the decoded continuation contains one of these (needs `decode`). */
  stopStrings?: readonly string[];
  decode?: (ids: readonly number[]) => string;
  /** Default true. */
  useCache?: boolean;
}

export interface GenerateResult {
  /** Generated ids only (the prompt excluded), including a final EOS if one was produced. */
  ids: number[];
  stoppedBy: 'eos' | 'max_tokens' | 'stop_string';
}

/** Argmax id of the last position of logits [1, T, V]. */
async function lastArgmax(logits: tf.Tensor3D): Promise<number> {
  const [, t, v] = logits.shape;
  const id = tf.tidy(() => tf.argMax(tf.reshape(tf.slice(logits, [0, t - 1, 0], [1, 1, v]), [v])));
  const value = (await id.data())[0] as number;
  id.dispose();
  return value;
}

/** Greedy continuation of `promptIds` (BOS included if wanted: nothing is added here). */
export async function greedyGenerate(
  model: CausalLM,
  promptIds: readonly number[],
  options: GenerateOptions,
): Promise<GenerateResult> {
  if (promptIds.length === 0) throw new Error('greedyGenerate: empty prompt');
  const eos = options.eosId === undefined ? model.config.eosTokenId : options.eosId;
  const stops = options.stopStrings ?? [];
  const useCache = options.useCache ?? true;
  const ids: number[] = [];
  let cache: KvCache | null = null;
  try {
    let feed: number[] = [...promptIds];
    while (ids.length < options.maxNewTokens) {
      let next: number;
      if (useCache) {
        const input = tf.tensor2d(feed, [1, feed.length], 'int32');
        const out: { logits: tf.Tensor3D; cache: KvCache } = model.logitsWithCache(input, cache, 1);
        input.dispose();
        cache?.dispose();
        cache = out.cache;
        next = await lastArgmax(out.logits);
        out.logits.dispose();
      } else {
        const all = [...promptIds, ...ids];
        const input = tf.tensor2d(all, [1, all.length], 'int32');
        const logits = model.logits(input);
        input.dispose();
        next = await lastArgmax(logits);
        logits.dispose();
      }
      ids.push(next);
      feed = [next];
      if (eos !== null && next === eos) return { ids, stoppedBy: 'eos' };
      if (stops.length > 0 && options.decode !== undefined) {
        const text = options.decode(ids);
        if (stops.some((s) => text.includes(s))) return { ids, stoppedBy: 'stop_string' };
      }
    }
    return { ids, stoppedBy: 'max_tokens' };
  } finally {
    cache?.dispose();
  }
}
