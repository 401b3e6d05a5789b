/**
 * Greedy decoding of many prompts at once for translation benchmarks: prompts of the same token
 * length share positions and the causal mask, so they run as one batch through the KV-cached
 * model, one token per step for all rows; a row that reaches a stop string, EOS or the token
 * cap leaves the batch (its cache rows are dropped). The tokens chosen are those of
 * `greedyGenerate` on each prompt alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CausalLM, KvCache } from '../model/types';

export interface BatchGenerateOptions {
  maxNewTokens: number;
  /** Stop a row after this id (kept in its ids); null: never. */
  eosId: number | null;
  /** Stop a row once its decoded text contains one of these. */
  stopStrings: readonly string[];
  decode: (ids: readonly number[]) => string;
  /** Rows per batch (default 16). */
  batchSize?: number;
  /** Called as each prompt finishes, with its index in `prompts`. */
  onDone?: (index: number, ids: number[]) => void;
}

export interface BatchGenerateStats {
  /** Forward passes run (prefills and decode steps). */
  forwards: number;
  /** Tokens generated over all prompts. */
  generated: number;
}

function gatherCache(cache: KvCache, rows: number[]): KvCache {
  const idx = tf.tensor1d(rows, 'int32');
  const layers = cache.layers.map((l) => ({
    k: tf.gather(l.k, idx, 0) as tf.Tensor4D,
    v: tf.gather(l.v, idx, 0) as tf.Tensor4D,
  }));
  idx.dispose();
  return {
    length: cache.length,
    layers,
    dispose: () => layers.forEach((l) => tf.dispose([l.k, l.v])),
  };
}

/** Argmax of the last position of each row of logits [B, T, V]. */
async function lastArgmaxRows(logits: tf.Tensor3D): Promise<number[]> {
  const [b, t, v] = logits.shape;
  const ids = tf.tidy(() =>
    tf.argMax(tf.reshape(tf.slice(logits, [0, t - 1, 0], [b, 1, v]), [b, v]), 1),
  );
  const out = Array.from(await ids.data());
  ids.dispose();
  return out;
}

/** Generated ids per prompt (prompt excluded), in prompt order. */
export async function greedyGenerateBatch(
  model: CausalLM,
  prompts: readonly (readonly number[])[],
  options: BatchGenerateOptions,
): Promise<{ outputs: number[][]; stats: BatchGenerateStats }> {
  const batchSize = options.batchSize ?? 16;
  const outputs: number[][] = prompts.map(() => []);
  const stats: BatchGenerateStats = { forwards: 0, generated: 0 };
  // Same-length prompts, longest first (the slowest batches start while the pool is full).
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`greedyGenerateBatch: prompt ${i} is empty`);
    byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]);
  });
  const batches: number[][] = [];
  for (const len of [...byLength.keys()].sort((a, b) => b - a)) {
    const idx = byLength.get(len) as number[];
    for (let s = 0; s < idx.length; s += batchSize) batches.push(idx.slice(s, s + batchSize));
  }
  for (const batch of batches) {
    let rows = [...batch]; // prompt index of each live row
    let cache: KvCache | null = null;
    try {
      let feed: number[][] = rows.map((i) => [...(prompts[i] as number[])]);
      while (rows.length > 0) {
        const width = (feed[0] as number[]).length;
        const input = tf.tensor2d(feed.flat(), [rows.length, width], 'int32');
        const out: { logits: tf.Tensor3D; cache: KvCache } = model.logitsWithCache(input, cache, 1);
        input.dispose();
        cache?.dispose();
        cache = out.cache;
        stats.forwards += 1;
        const next = await lastArgmaxRows(out.logits);
        out.logits.dispose();
        const keep: number[] = [];
        rows.forEach((i, r) => {
          const ids = outputs[i] as number[];
          const id = next[r] as number;
          ids.push(id);
          stats.generated += 1;
          const done =
            ids.length >= options.maxNewTokens ||
            (options.eosId !== null && id === options.eosId) ||
            (options.stopStrings.length > 0 &&
              options.stopStrings.some((s) => options.decode(ids).includes(s)));
          if (done) options.onDone?.(i, ids);
          else keep.push(r);
        });
        if (keep.length === 0) break;
        if (keep.length < rows.length) {
          const smaller = gatherCache(cache, keep);
          cache.dispose();
          cache = smaller;
          rows = keep.map((r) => rows[r] as number);
        }
        feed = rows.map((i) => [(outputs[i] as number[]).at(-1) as number]);
      }
    } finally {
      cache?.dispose();
    }
  }
  return { outputs, stats };
}
