import type { Tokenizer } from '../tokenizers/types';
import type { LoglikelihoodRequest } from './instances';

/** A request in token ids: the model reads `context + continuation` and is scored on the tail. */
export interface EncodedRequest {
  contextIds: number[];
  continuationIds: number[];
}

/**
 * lm-eval's `_encode_pair` for causal models (lm_eval/api/model.py): trailing spaces of the
 * context move to the continuation; the pair is tokenized together and the continuation is
 * whatever follows the context's own tokens, so merges across the boundary count for it.
 *
 * No BOS, as docs/METHOD.md "Evaluation" requires: this is lm-eval's HFLM with `add_bos_token=False`, its default
 * through v0.4.x releases of the Open LLM Leaderboard era (newer releases default to the
 * tokenizer's own setting, which adds BOS for LLaMA). An empty context becomes the BOS id,
 * as lm-eval's `prefix_token_id`, so the first continuation token still has a prediction.
 */
export function encodeRequest(tokenizer: Tokenizer, request: LoglikelihoodRequest): EncodedRequest {
  let { context, continuation } = request;
  if (context === '') {
    const ids = tokenizer.encode(continuation);
    return ids[0] === tokenizer.bosId
      ? { contextIds: ids.slice(0, 1), continuationIds: ids.slice(1) }
      : { contextIds: [tokenizer.bosId], continuationIds: ids };
  }
  const spaces = context.length - context.replace(/\s+$/u, '').length;
  if (spaces > 0) {
    continuation = context.slice(context.length - spaces) + continuation;
    context = context.slice(0, context.length - spaces);
  }
  const whole = tokenizer.encode(context + continuation);
  const contextIds = tokenizer.encode(context);
  return { contextIds, continuationIds: whole.slice(contextIds.length) };
}
