/** The one interface every tokenizer implements (byte, SentencePiece, Hugging Face). */
export interface Tokenizer {
  readonly kind: 'byte' | 'sentencepiece' | 'hf';
  /** Number of ids the model's embedding must hold. */
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Padding id; LLaMA has none, so it is the EOS or UNK id there (never a loss target). */
  readonly padId: number;
  /**
   * Token ids of `text` with no BOS/EOS added (SentencePiece adds its dummy-prefix space, as the
   * reference library's `encode` does).
   */
  encode(text: string): number[];
  /** Text of `ids`, special tokens skipped. */
  decode(ids: readonly number[]): string;
}
