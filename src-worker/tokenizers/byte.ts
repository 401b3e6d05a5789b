import type { Tokenizer } from './types';

/** Ids 0–2 are special; byte b is id b + 3. */
const PAD = 0;
const BOS = 1;
const EOS = 2;
const OFFSET = 3;

/**
 * UTF-8 bytes plus PAD/BOS/EOS: 259 ids. For the tiny from-scratch demo models, where a
 * learned vocabulary would cost more parameters than it saves.
 */
export class ByteTokenizer implements Tokenizer {
  readonly kind = 'byte' as const;
  readonly vocabSize = 256 + OFFSET;
  readonly bosId = BOS;
  readonly eosId = EOS;
  readonly padId = PAD;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8');

  encode(text: string): number[] {
    return Array.from(this.encoder.encode(text), (b) => b + OFFSET);
  }

  decode(ids: readonly number[]): string {
    const bytes = ids.filter((id) => id >= OFFSET && id < this.vocabSize).map((id) => id - OFFSET);
    return this.decoder.decode(new Uint8Array(bytes));
  }
}
