import { UsageError } from '../../src-shared/errors';
import { ByteTokenizer } from './byte';
import type { Tokenizer } from './types';

export type { Tokenizer } from './types';

/**
 * A tokenizer from a CLI/sweep SPEC: `byte`, a Hugging Face `tokenizer.json`, a SentencePiece
 * `tokenizer.model`, or a model directory holding one of them.
 */
export async function loadTokenizer(spec: string): Promise<Tokenizer> {
  if (spec === 'byte') return new ByteTokenizer();
  throw new UsageError(`tokenizer "${spec}": not supported yet`);
}
