import { PairTable } from './pair-table';

/**
 * SentencePiece's BPE segmentation (`bpe::Model::Encode` of the reference library), ported
 * step for step so ids match it exactly:
 * - the text starts as one symbol per character (or per user-defined piece, which never merges);
 * - every adjacent pair whose concatenation is a piece goes on an agenda ordered by the piece's
 *   score, ties broken by the leftmost position;
 * - the best pair is merged, stale agenda entries are skipped (a symbol only ever grows by
 *   absorbing its right neighbour, which empties that neighbour, so a pair whose two sizes still
 *   add up to the recorded size is unchanged), and the two new neighbour pairs are added;
 * - a final piece of type UNUSED is split back into the pieces it was merged from.
 * A binary heap keeps it O(n log n) in the length of the text.
 */

/** What segmentation needs to know about a vocabulary. */
export interface BpeVocab {
  /** Id of every piece that can take part in merges (NORMAL, USER_DEFINED and UNUSED). */
  readonly mergeable: ReadonlyMap<string, number>;
  /** Every piece by id. */
  readonly pieces: readonly string[];
  readonly scores: Float32Array;
  /** Ids of UNUSED pieces, which are resegmented after merging. */
  readonly unused: ReadonlySet<number>;
  /** User-defined pieces by first UTF-16 unit, longest first; they are kept whole. */
  readonly userDefined: ReadonlyMap<string, readonly string[]>;
}

/** Agenda of candidate merges: a max-heap on (score, -left) in parallel growable arrays. */
class Agenda {
  score = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  size = new Int32Array(64);
  merged = new Int32Array(64);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  /** True when entry a must come out before entry b. */
  private before(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    return sa > sb || (sa === sb && this.left[a]! < this.left[b]!);
  }

  private swap(a: number, b: number): void {
    const s = this.score[a]!;
    this.score[a] = this.score[b]!;
    this.score[b] = s;
    const l = this.left[a]!;
    this.left[a] = this.left[b]!;
    this.left[b] = l;
    const r = this.right[a]!;
    this.right[a] = this.right[b]!;
    this.right[b] = r;
    const z = this.size[a]!;
    this.size[a] = this.size[b]!;
    this.size[b] = z;
    const m = this.merged[a]!;
    this.merged[a] = this.merged[b]!;
    this.merged[b] = m;
  }

  private grow(): void {
    const n = this.score.length * 2;
    const score = new Float64Array(n);
    score.set(this.score);
    this.score = score;
    const left = new Int32Array(n);
    left.set(this.left);
    this.left = left;
    const right = new Int32Array(n);
    right.set(this.right);
    this.right = right;
    const size = new Int32Array(n);
    size.set(this.size);
    this.size = size;
    const merged = new Int32Array(n);
    merged.set(this.merged);
    this.merged = merged;
  }

  push(score: number, left: number, right: number, size: number, merged: number): void {
    if (this.length === this.score.length) this.grow();
    let i = this.length++;
    this.score[i] = score;
    this.left[i] = left;
    this.right[i] = right;
    this.size[i] = size;
    this.merged[i] = merged;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Moves the top entry to index `length` (readable there until the next push) and pops it. */
  pop(): number {
    const last = --this.length;
    this.swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const child = r < last && this.before(r, l) ? r : l;
      if (!this.before(child, i)) break;
      this.swap(i, child);
      i = child;
    }
    return last;
  }
}

/**
 * Segments text into pieces. One instance is reused across calls so its buffers are allocated
 * once; it is not re-entrant.
 */
export class BpeSegmenter {
  private readonly agenda = new Agenda();
  private readonly pairs: PairTable;
  private start = new Int32Array(256);
  private end = new Int32Array(256);
  private prev = new Int32Array(256);
  private next = new Int32Array(256);
  /** Symbol id: a piece id, or past the vocabulary for a character that is not a piece. */
  private symbol = new Int32Array(256);
  private frozen = new Uint8Array(256);
  /** Merged UNUSED piece → its two halves, filled while merging (as the reference does). */
  private readonly revMerge = new Map<string, [string, string]>();

  /** @param maxPairSlots bound of the pair memo (see PairTable); tests make it tiny. */
  constructor(
    private readonly vocab: BpeVocab,
    maxPairSlots?: number,
  ) {
    this.pairs = new PairTable(vocab.mergeable, vocab.pieces, maxPairSlots);
  }

  private ensureCapacity(n: number): void {
    if (n <= this.start.length) return;
    const cap = Math.max(n, this.start.length * 2);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.symbol = new Int32Array(cap);
    this.frozen = new Uint8Array(cap);
  }

  /** Length in UTF-16 units of the user-defined piece starting at `pos`, or 0. */
  private matchUserDefined(text: string, pos: number): number {
    const candidates = this.vocab.userDefined.get(text[pos]!);
    if (candidates === undefined) return 0;
    for (const piece of candidates) if (text.startsWith(piece, pos)) return piece.length;
    return 0;
  }

  private maybeAddPair(text: string, left: number, right: number): void {
    if (left < 0 || right < 0) return;
    const l = this.symbol[left]!;
    const r = this.symbol[right]!;
    if (l < 0 || r < 0 || this.frozen[left] || this.frozen[right]) return;
    const id = this.pairs.get(l, r);
    if (id < 0) return;
    const size = this.end[right]! - this.start[left]!;
    this.agenda.push(this.vocab.scores[id]!, left, right, size, id);
    if (this.vocab.unused.has(id)) {
      const halves: [string, string] = [
        text.slice(this.start[left]!, this.end[left]!),
        text.slice(this.start[right]!, this.end[right]!),
      ];
      this.revMerge.set(text.slice(this.start[left]!, this.end[right]!), halves);
    }
  }

  /** Splits a final UNUSED piece back into the pieces it was merged from. */
  private resegment(piece: string, ids: number[]): void {
    const id = this.vocab.mergeable.get(piece)!;
    const halves = this.vocab.unused.has(id) ? this.revMerge.get(piece) : undefined;
    if (halves === undefined) {
      ids.push(id);
      return;
    }
    this.resegment(halves[0], ids);
    this.resegment(halves[1], ids);
  }

  /**
   * Segments `text` (already normalized). Appends one entry per final piece to `ids`: its id,
   * or, for a character that is not a piece, `-1 - k` where `unknown[k]` is that character.
   */
  segment(text: string, ids: number[], unknown: string[]): void {
    if (text.length === 0) return;
    this.ensureCapacity(text.length);
    const { start, end, prev, next, symbol, frozen, pairs } = this;
    const hasUserDefined = this.vocab.userDefined.size > 0;
    let n = 0;
    for (let pos = 0; pos < text.length; n++) {
      const len = hasUserDefined ? this.matchUserDefined(text, pos) : 0;
      start[n] = pos;
      prev[n] = n - 1;
      next[n] = n + 1;
      if (len > 0) {
        frozen[n] = 1;
        symbol[n] = this.vocab.mergeable.get(text.slice(pos, pos + len))!;
        pos += len;
      } else {
        frozen[n] = 0;
        const c = text.charCodeAt(pos);
        const low = c >= 0xd800 && c < 0xdc00 ? text.charCodeAt(pos + 1) : 0;
        if (low >= 0xdc00 && low < 0xe000) {
          symbol[n] = pairs.charId(0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00));
          pos += 2;
        } else {
          symbol[n] = pairs.charId(c);
          pos += 1;
        }
      }
      end[n] = pos;
    }
    next[n - 1] = -1;

    const agenda = this.agenda;
    agenda.clear();
    this.revMerge.clear();
    for (let i = 1; i < n; i++) this.maybeAddPair(text, i - 1, i);

    while (agenda.length > 0) {
      const top = agenda.pop();
      const l = agenda.left[top]!;
      const r = agenda.right[top]!;
      const lsize = end[l]! - start[l]!;
      const rsize = end[r]! - start[r]!;
      if (lsize === 0 || rsize === 0 || lsize + rsize !== agenda.size[top]) continue;
      symbol[l] = agenda.merged[top]!;
      end[l] = end[r]!;
      next[l] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = l;
      end[r] = start[r]!;
      this.maybeAddPair(text, prev[l]!, l);
      this.maybeAddPair(text, l, next[l]!);
    }

    const pieceCount = this.vocab.pieces.length;
    for (let i = 0; i !== -1; i = next[i]!) {
      const id = symbol[i]!;
      if (id >= 0 && id < pieceCount) {
        if (this.revMerge.size > 0) this.resegment(text.slice(start[i]!, end[i]!), ids);
        else ids.push(id);
      } else {
        ids.push(-1 - unknown.length);
        unknown.push(text.slice(start[i]!, end[i]!));
      }
    }
  }
}
