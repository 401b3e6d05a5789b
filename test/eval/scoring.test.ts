/**
 * The scorer against a direct computation on the same model (full forward pass, log-softmax,
 * pick the continuation targets), in each batching mode; float32 on both sides, so agreement
 * to 1e-3 absolute on sums of a few dozen log-probs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest, type EncodedRequest } from '../../src-worker/eval/encode';
import { scoreRequests, type ScoringMode } from '../../src-worker/eval/scoring';
import { createRandomLlama, type LlamaModel } from '../../src-worker/model/llama';
import { findPreset } from '../../src-worker/model/presets';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';
import { useCpu } from './helpers';

const tok = new ByteTokenizer();
let model: LlamaModel;
let short: LlamaModel;

beforeAll(async () => {
  await useCpu();
  const preset = findPreset('tiny-byte');
  if (!preset) throw new Error('tiny-byte preset missing');
  model = createRandomLlama(preset.config, 7);
  short = createRandomLlama({ ...preset.config, maxPositionEmbeddings: 16 }, 7);
});
afterAll(() => {
  model.dispose();
  short.dispose();
});

/** Σ log p(cont_j | everything before it), from one unbatched forward pass over ctx + cont. */
async function direct(m: LlamaModel, r: EncodedRequest): Promise<number> {
  const full = [...r.contextIds, ...r.continuationIds];
  const ids = tf.tensor2d([full.slice(0, -1)], undefined, 'int32');
  const logp = tf.tidy(() => tf.logSoftmax(m.logits(ids)));
  const data = (await logp.array()) as number[][][];
  tf.dispose([ids, logp]);
  const rows = data[0] as number[][];
  const start = r.contextIds.length - 1;
  return r.continuationIds.reduce((s, t, j) => s + (rows[start + j]?.[t] ?? NaN), 0);
}

const question = (context: string, choices: string[]): EncodedRequest[] =>
  choices.map((c) => encodeRequest(tok, { context, continuation: c }));

describe('scoreRequests', () => {
  const cases: [string, EncodedRequest[]][] = [
    [
      'shared context, different continuations',
      question('Question: Which is red?\nAnswer:', [' apple', ' sky', ' grass and trees']),
    ],
    // " abc…" choices share " ab": the shared prefix reaches into the continuations.
    ['continuations sharing their first tokens', question('Pick:', [' abcde', ' abxyz', ' ab'])],
    [
      'different contexts, shared continuation (WinoGrande)',
      [
        encodeRequest(tok, { context: 'The trophy', continuation: ' was too big.' }),
        encodeRequest(tok, { context: 'The suitcase', continuation: ' was too big.' }),
      ],
    ],
  ];

  it.each(cases)('%s: every mode equals the direct computation', async (_name, requests) => {
    expect(requests.length).toBeGreaterThanOrEqual(2);
    const want = await Promise.all(requests.map((r) => direct(model, r)));
    for (const mode of ['shared', 'batched', 'separate'] as ScoringMode[]) {
      const got = await scoreRequests(model, requests, { mode, padId: tok.padId });
      // One score per request, in order: a scorer that drops or merges requests fails here.
      expect(got, mode).toHaveLength(requests.length);
      got.forEach((g, i) => expect(Math.abs(g.logprob - (want[i] as number))).toBeLessThan(1e-3));
    }
  });

  it('leaves no tensors behind', async () => {
    const requests = cases[1]?.[1] ?? [];
    expect(requests).toHaveLength(3);
    await scoreRequests(model, requests, { mode: 'shared' });
    const before = tf.memory().numTensors;
    for (const mode of ['shared', 'batched', 'separate'] as ScoringMode[]) {
      await scoreRequests(model, requests, { mode });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('drops context tokens on the left past the model length, as lm-eval does', async () => {
    const r = encodeRequest(tok, {
      context: 'a long context that does not fit',
      continuation: ' end',
    });
    const [got] = await scoreRequests(short, [r]);
    // lm-eval keeps the last maxLen + 1 tokens: 17 = 13 of context + 4 of continuation.
    const kept = { contextIds: r.contextIds.slice(-13), continuationIds: r.continuationIds };
    expect(Math.abs((got?.logprob ?? NaN) - (await direct(short, kept)))).toBeLessThan(1e-3);
  });

  it('reports whether greedy decoding would produce the continuation', async () => {
    const [r] = question('x', [' y']);
    const ids = tf.tensor2d([[...(r?.contextIds ?? [])]], undefined, 'int32');
    const logits = model.logits(ids);
    const argmax = (await tf.argMax(logits, -1).array()) as number[][];
    tf.dispose([ids, logits]);
    const best = argmax[0]?.at(-1) ?? -1;
    const [greedy] = await scoreRequests(model, [
      { contextIds: r?.contextIds ?? [], continuationIds: [best] },
    ]);
    expect(greedy?.isGreedy).toBe(true);
    const other = best === 40 ? 41 : 40;
    const [notGreedy] = await scoreRequests(model, [
      { contextIds: r?.contextIds ?? [], continuationIds: [other] },
    ]);
    expect(notGreedy?.isGreedy).toBe(false);
  });
});

describe('encodeRequest (lm-eval _encode_pair, no BOS)', () => {
  it('moves trailing spaces of the context into the continuation', () => {
    expect(encodeRequest(tok, { context: 'ab ', continuation: 'c' })).toEqual({
      contextIds: tok.encode('ab'),
      continuationIds: tok.encode(' c'),
    });
  });

  it('conditions an empty context on BOS and never adds BOS otherwise', () => {
    expect(encodeRequest(tok, { context: '', continuation: 'hi' })).toEqual({
      contextIds: [tok.bosId],
      continuationIds: tok.encode('hi'),
    });
    expect(encodeRequest(tok, { context: 'Q', continuation: ' A' }).contextIds[0]).not.toBe(
      tok.bosId,
    );
  });
});
