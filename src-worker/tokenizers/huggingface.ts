import { Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer } from './types';

/** The special-token names a `tokenizer_config.json` may give, as a string or `{content}`. */
type TokenSetting = string | { content?: unknown } | null | undefined;

/** The fields of `tokenizer_config.json` this adapter reads (the library reads a few more). */
export interface HfTokenizerConfig {
  bos_token?: TokenSetting;
  eos_token?: TokenSetting;
  pad_token?: TokenSetting;
  unk_token?: TokenSetting;
  [key: string]: unknown;
}

/** Conventional special-token spellings, used when no `tokenizer_config.json` names them. */
const BOS_NAMES = ['<s>', '<|begin_of_text|>', '<bos>', '[CLS]', '<|endoftext|>'];
const EOS_NAMES = ['</s>', '<|end_of_text|>', '<eos>', '[SEP]', '<|endoftext|>', '<|im_end|>'];
const PAD_NAMES = ['<pad>', '[PAD]', '<|pad|>'];
const UNK_NAMES = ['<unk>', '[UNK]'];

function tokenName(setting: TokenSetting): string | undefined {
  if (typeof setting === 'string') return setting;
  if (setting && typeof setting === 'object' && typeof setting.content === 'string') {
    return setting.content;
  }
  return undefined;
}

/** Why a tokenizer.json cannot serve a causal LM here (no EOS); the caller names the file. */
export class HfTokenizerSetupError extends Error {}

/**
 * A Hugging Face `tokenizer.json` run by `@huggingface/tokenizers` (normalizer, pre-tokenizer,
 * model and decoder exactly as the file declares them). BOS/EOS/PAD come from the optional
 * `tokenizer_config.json` beside it, else from the conventional names in the vocabulary.
 */
export class HfTokenizer implements Tokenizer {
  readonly kind = 'hf' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** The pad token, else UNK, else EOS: padded positions have loss weight 0, never a target. */
  readonly padId: number;
  private readonly lib: HfLibTokenizer;

  constructor(tokenizerJson: object, config: HfTokenizerConfig = {}) {
    this.lib = new HfLibTokenizer(tokenizerJson, config);
    const vocab = this.lib.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    // A key present in the config decides (null: the model has no such token); otherwise the
    // conventional spellings are looked up in the vocabulary.
    const find = (key: keyof HfTokenizerConfig, names: readonly string[]): number | undefined => {
      if (key in config) {
        const named = tokenName(config[key] as TokenSetting);
        return named === undefined ? undefined : vocab.get(named);
      }
      for (const name of names) {
        const id = vocab.get(name);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const eos = find('eos_token', EOS_NAMES);
    if (eos === undefined) {
      throw new HfTokenizerSetupError(
        'no end-of-sequence token (set eos_token in tokenizer_config.json)',
      );
    }
    this.eosId = eos;
    this.bosId = find('bos_token', BOS_NAMES) ?? eos;
    this.padId = find('pad_token', PAD_NAMES) ?? find('unk_token', UNK_NAMES) ?? eos;
  }

  /**
   * Ids without special tokens. Empty text gives no ids: the Rust `tokenizers` library skips a
   * `Prepend` normalizer on empty input, while the JS port would emit a lone prefix token.
   */
  encode(text: string): number[] {
    if (text.length === 0) return [];
    return this.lib.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return '';
    return this.lib.decode([...ids], { skip_special_tokens: true });
  }
}
