import { PieceType } from '../../../src-worker/tokenizers/sentencepiece-model';
import type { SentencePieceModel } from '../../../src-worker/tokenizers/sentencepiece-model';

/**
 * Converts a SentencePiece BPE model into a Hugging Face `tokenizer.json` the way
 * `transformers`' LlamaConverter does (legacy LLaMA layout): Prepend("▁") + Replace(" ", "▁")
 * normalizer, no pre-tokenizer, a BPE model with byte fallback whose merges come from
 * `SentencePieceExtractor.extract` — every split of a piece into two pieces, ordered by the
 * merged piece's score, splits of one piece by (left id, right id). Only NORMAL pieces merge.
 * Used by the tests to check the tokenizer.json path against the reference ids without
 * shipping a 2 MB file.
 */
export function llamaTokenizerJson(model: SentencePieceModel): object {
  const vocab: Record<string, number> = {};
  model.pieces.forEach((piece, id) => {
    vocab[piece] = id;
  });
  const normal = new Map<string, number>();
  model.pieces.forEach((piece, id) => {
    if (model.types[id] === PieceType.NORMAL) normal.set(piece, id);
  });
  const merges: { left: string; right: string; score: number; id: number; l: number; r: number }[] =
    [];
  for (const [piece, id] of normal) {
    const chars = [...piece];
    let offset = 0;
    for (let k = 1; k < chars.length; k++) {
      offset += chars[k - 1]!.length;
      const left = piece.slice(0, offset);
      const right = piece.slice(offset);
      const l = normal.get(left);
      const r = normal.get(right);
      if (l !== undefined && r !== undefined) {
        merges.push({ left, right, score: model.scores[id]!, id, l, r });
      }
    }
  }
  merges.sort((a, b) => b.score - a.score || a.id - b.id || a.l - b.l || a.r - b.r);
  const special = (id: number) => ({
    id,
    content: model.pieces[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(model.unkId), special(model.bosId), special(model.eosId)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '\u2581' },
        { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: model.pieces[model.unkId],
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: merges.map((m) => [m.left, m.right]),
    },
  };
}
