import { BpeSegmenter } from './bpe';
import { ChunkCache, FNV_OFFSET, FNV_PRIME, mixHash } from './chunk-cache';
import type { BpeVocab } from './bpe';
import { decodeBytesLikeSentencePiece } from './byte-pieces';
import { PieceType } from './sentencepiece-model';
import type { SentencePieceModel } from './sentencepiece-model';
import type { Tokenizer } from './types';

/** U+2581, SentencePiece's visible stand-in for a space. */
const SPACE_SYMBOL = '\u2581';
/** Chunks longer than this are segmented without caching (long runs of digits, CJK text). */
const MAX_CACHED_CHUNK = 64;
/** The chunk cache starts over when it grows past this many entries, bounding memory. */
const MAX_CACHE_ENTRIES = 200_000;

/** Memory bounds of the encode caches; the defaults suit whole datasets, tests shrink them. */
export interface SentencePieceCacheLimits {
  /** Chunks whose ids are memoized before the chunk cache starts over. */
  maxCachedChunks?: number;
  /** Slots of the pair memo before it starts over (a power of two). */
  maxPairSlots?: number;
}

/**
 * A SentencePiece BPE model (`tokenizer.model`, e.g. LLaMA's) giving the same ids as the
 * reference `sentencepiece` library's `encode(text)`: normalization as the model's
 * normalizer_spec says (identity character map only), BPE merges by piece score, and unknown
 * characters spelled as `<0xNN>` byte pieces when the model has byte fallback.
 *
 * Speed: most of a dataset's text is words seen before, so segmentations are cached per chunk.
 * A chunk starts at each whitespace symbol that follows a non-whitespace character. That cut is
 * exact only if no piece contains a non-whitespace character followed by the whitespace symbol
 * (BPE then never merges across it, and merges on either side never interact); the constructor
 * checks this against the vocabulary and falls back to whole-text segmentation otherwise.
 */
export class SentencePieceTokenizer implements Tokenizer {
  readonly kind = 'sentencepiece' as const;
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /**
   * LLaMA defines no padding piece (pad_id -1), so padding uses the unknown piece's id (0).
   * Padded positions get loss weight 0 (docs/METHOD.md "Loss"), so this id is never a loss target;
   * and with byte fallback encode never emits `<unk>`, so it cannot be confused with text.
   */
  readonly padId: number;
  readonly unkId: number;
  readonly pieces: readonly string[];
  private readonly model: SentencePieceModel;
  private readonly ids: Map<string, number>;
  private readonly byteIds: Int32Array;
  private readonly byteValue: Int16Array;
  private readonly segmenter: BpeSegmenter;
  private readonly whitespace: string;
  private readonly chunked: boolean;
  private readonly cache: ChunkCache;
  /** Chunks are cut from the raw text (see encodeChunks). */
  private readonly rawChunks: boolean;
  private readonly encoder = new TextEncoder();
  private readonly idBuffer: number[] = [];
  private readonly unknownBuffer: string[] = [];

  constructor(model: SentencePieceModel, limits: SentencePieceCacheLimits = {}) {
    this.model = model;
    this.pieces = model.pieces;
    this.vocabSize = model.pieces.length;
    this.unkId = model.unkId;
    this.bosId = model.bosId;
    this.eosId = model.eosId;
    this.padId = model.padId >= 0 ? model.padId : model.unkId;
    this.whitespace = model.escapeWhitespaces ? SPACE_SYMBOL : ' ';

    const mergeable = new Map<string, number>();
    const unused = new Set<number>();
    const userDefined = new Map<string, string[]>();
    this.ids = new Map();
    this.byteIds = new Int32Array(256).fill(-1);
    this.byteValue = new Int16Array(model.pieces.length).fill(-1);
    let crossesWhitespace = false;
    model.pieces.forEach((piece, id) => {
      const type = model.types[id];
      if (!this.ids.has(piece)) this.ids.set(piece, id);
      if (
        type === PieceType.NORMAL ||
        type === PieceType.USER_DEFINED ||
        type === PieceType.UNUSED
      ) {
        mergeable.set(piece, id);
        if (type === PieceType.UNUSED) unused.add(id);
        if (type === PieceType.USER_DEFINED && piece.length > 0) {
          const list = userDefined.get(piece[0]!) ?? [];
          list.push(piece);
          userDefined.set(piece[0]!, list);
        }
        for (let k = 1; k < piece.length; k++) {
          if (piece[k] === this.whitespace && piece[k - 1] !== this.whitespace) {
            crossesWhitespace = true;
          }
        }
      } else if (type === PieceType.BYTE) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
        if (m) {
          const b = parseInt(m[1]!, 16);
          this.byteIds[b] = id;
          this.byteValue[id] = b;
        }
      }
    });
    for (const list of userDefined.values()) list.sort((a, b) => b.length - a.length);
    const vocab: BpeVocab = {
      mergeable,
      pieces: model.pieces,
      scores: model.scores,
      unused,
      userDefined,
    };
    this.segmenter = new BpeSegmenter(vocab, limits.maxPairSlots);
    this.cache = new ChunkCache(limits.maxCachedChunks ?? MAX_CACHE_ENTRIES);
    this.chunked = !crossesWhitespace;
    this.rawChunks =
      this.chunked &&
      model.escapeWhitespaces &&
      model.addDummyPrefix &&
      !model.removeExtraWhitespaces;
  }

  /** The text as the model sees it: spaces escaped, dummy prefix added (normalizer_spec). */
  normalize(text: string): string {
    let t = text;
    if (this.model.removeExtraWhitespaces) t = t.replace(/ +/g, ' ').replace(/^ | $/g, '');
    if (t.length === 0) return '';
    if (this.model.escapeWhitespaces) t = t.replaceAll(' ', SPACE_SYMBOL);
    return this.model.addDummyPrefix ? this.whitespace + t : t;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    if (this.rawChunks) {
      this.encodeChunks(text, true, out);
      return out;
    }
    const norm = this.normalize(text);
    if (this.chunked) this.encodeChunks(norm, false, out);
    else this.encodeChunk(norm, out);
    return out;
  }

  /**
   * Cuts `source` into chunks and encodes each through the cache. With `raw`, `source` is the
   * user's text, not yet normalized (the common configuration: spaces escaped, dummy prefix,
   * no whitespace removal), so a cached chunk costs no normalization and no allocation: a
   * space or a literal U+2581 both become the whitespace symbol, and the first chunk gets the
   * dummy prefix when it is normalized on a cache miss.
   */
  private encodeChunks(source: string, raw: boolean, out: number[]): void {
    const wsCode = this.whitespace.charCodeAt(0);
    let start = 0;
    let hash = FNV_OFFSET;
    let prevWs = true;
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      const ws = c === wsCode || (raw && c === 0x20);
      if (ws && !prevWs) {
        this.encodeCached(source, start, i, mixHash(hash), raw && start === 0, raw, out);
        start = i;
        hash = FNV_OFFSET;
      }
      hash = Math.imul(hash ^ c, FNV_PRIME);
      prevWs = ws;
    }
    if (start < source.length) {
      this.encodeCached(source, start, source.length, mixHash(hash), raw && start === 0, raw, out);
    }
  }

  private encodeCached(
    source: string,
    start: number,
    end: number,
    hash: number,
    first: boolean,
    raw: boolean,
    out: number[],
  ): void {
    const before = out.length;
    if (end - start > MAX_CACHED_CHUNK) {
      this.encodeChunk(this.chunkText(source.slice(start, end), first, raw), out);
      return;
    }
    if (!this.cache.appendIfCached(source, start, end, hash, first, out)) {
      const key = source.slice(start, end);
      const ids: number[] = [];
      this.encodeChunk(this.chunkText(key, first, raw), ids);
      this.cache.insert(key, hash, first, ids);
      for (const id of ids) out.push(id);
    }
    // Without byte fallback, a run of unknown pieces is one <unk>, across chunks too.
    if (before > 0 && out[before] === this.unkId && out[before - 1] === this.unkId) {
      out.splice(before, 1);
    }
  }

  /** The normalized text of a chunk (raw chunks are normalized here, on a cache miss). */
  private chunkText(chunk: string, first: boolean, raw: boolean): string {
    if (!raw) return chunk;
    const escaped = chunk.replaceAll(' ', SPACE_SYMBOL);
    return first ? SPACE_SYMBOL + escaped : escaped;
  }

  /**
   * Segments one chunk and maps its pieces to ids. An unknown piece is spelled as `<0xNN>` byte
   * pieces with byte fallback; without it, a run of unknown pieces becomes ONE `<unk>`, as the
   * reference merges them (so that `<unk>` can stand for the original span).
   */
  private encodeChunk(chunk: string, out: number[]): void {
    const ids = this.idBuffer;
    const unknown = this.unknownBuffer;
    ids.length = 0;
    unknown.length = 0;
    this.segmenter.segment(chunk, ids, unknown);
    for (const id of ids) {
      if (id >= 0) {
        out.push(id);
        continue;
      }
      const piece = unknown[-1 - id]!;
      const reserved = this.ids.get(piece);
      if (reserved !== undefined && reserved !== this.unkId) {
        out.push(reserved);
      } else if (this.model.byteFallback) {
        for (const b of this.encoder.encode(piece)) out.push(this.byteIds[b]!);
      } else if (out.length === 0 || out[out.length - 1] !== this.unkId) {
        out.push(this.unkId);
      }
    }
  }

  /**
   * Text of `ids` as the reference `decode` gives it: control pieces dropped, byte pieces
   * reassembled as UTF-8, U+2581 turned back into spaces, and the dummy-prefix space of the
   * first piece removed.
   */
  decode(ids: readonly number[]): string {
    let text = '';
    const bytes: number[] = [];
    let atStart = true;
    const flushBytes = (): void => {
      if (bytes.length === 0) return;
      text += decodeBytesLikeSentencePiece(bytes);
      bytes.length = 0;
      atStart = false;
    };
    for (const id of ids) {
      if (id < 0 || id >= this.vocabSize) continue;
      const type = this.model.types[id];
      if (type === PieceType.CONTROL) continue;
      const b = this.byteValue[id]!;
      if (b >= 0) {
        bytes.push(b);
        continue;
      }
      flushBytes();
      let piece = type === PieceType.UNKNOWN ? this.model.unkSurface : this.pieces[id]!;
      if (atStart && type !== PieceType.UNKNOWN && piece.startsWith(SPACE_SYMBOL)) {
        if (this.model.addDummyPrefix || this.model.removeExtraWhitespaces) piece = piece.slice(1);
      }
      atStart = false;
      text += piece.replaceAll(SPACE_SYMBOL, ' ');
    }
    flushBytes();
    return text;
  }
}
