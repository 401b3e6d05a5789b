/**
 * Which two symbols merge into which piece, keyed by symbol ids instead of strings. BPE asks
 * "is left+right a piece?" for every adjacent pair, millions of times per dataset; building
 * the concatenated string and hashing it each time was the largest cost of encoding. A symbol
 * is always a piece or a single character, so the answer depends only on the two symbols: it
 * is computed with strings the first time a pair is seen and memoized (hits and misses) in an
 * open-addressing hash on two int32 keys. Filling it lazily keeps loading a tokenizer cheap;
 * a dataset meets far fewer distinct pairs than the vocabulary could form.
 *
 * A character that is not a piece gets the pseudo id `vocabSize + codePoint`, so a pair like
 * ("a", "b") still finds "ab" when "b" alone is not a piece.
 */
/** 4M slots = 48 MB of typed arrays at most. */
export const DEFAULT_MAX_PAIR_SLOTS = 1 << 22;

export class PairTable {
  /** Piece id of each single-UTF-16-unit piece, or -1. */
  private readonly bmpIds = new Int32Array(0x10000).fill(-1);
  private readonly astralIds = new Map<number, number>();
  private readonly vocabSize: number;
  private keyL: Int32Array;
  private keyR: Int32Array;
  private value: Int32Array;
  private mask: number;
  private used = 0;

  /**
   * @param mergeable piece → id of every piece that can be a merge result (NORMAL,
   *   USER_DEFINED, UNUSED).
   * @param pieces every piece by id; `pieces.length` is the vocabulary size.
   * @param maxSlots the memo starts over when it would grow past this (a power of two).
   */
  constructor(
    private readonly mergeable: ReadonlyMap<string, number>,
    private readonly pieces: readonly string[],
    private readonly maxSlots = DEFAULT_MAX_PAIR_SLOTS,
  ) {
    this.vocabSize = pieces.length;
    for (const [piece, id] of mergeable) {
      const cp = piece.codePointAt(0);
      if (cp === undefined || piece.length !== (cp > 0xffff ? 2 : 1)) continue;
      if (cp <= 0xffff) this.bmpIds[cp] = id;
      else this.astralIds.set(cp, id);
    }
    const cap = Math.min(1 << 16, maxSlots);
    this.mask = cap - 1;
    this.keyL = new Int32Array(cap).fill(-1);
    this.keyR = new Int32Array(cap);
    this.value = new Int32Array(cap);
  }

  /** Symbol id of one character: its piece id, or `vocabSize + codePoint` when not a piece. */
  charId(codePoint: number): number {
    const id =
      codePoint <= 0xffff ? this.bmpIds[codePoint]! : (this.astralIds.get(codePoint) ?? -1);
    return id >= 0 ? id : this.vocabSize + codePoint;
  }

  private symbolText(id: number): string {
    return id < this.vocabSize ? this.pieces[id]! : String.fromCodePoint(id - this.vocabSize);
  }

  private slot(l: number, r: number): number {
    const h = Math.imul(l, 0x9e3779b1) ^ Math.imul(r + 0x7f4a7c15, 0x85ebca77);
    return (h ^ (h >>> 15)) & this.mask;
  }

  /** Id of the piece that symbols `l` and `r` concatenate to, or -1 when it is not a piece. */
  get(l: number, r: number): number {
    let i = this.slot(l, r);
    for (;;) {
      const k = this.keyL[i]!;
      if (k === -1) break;
      if (k === l && this.keyR[i] === r) return this.value[i]!;
      i = (i + 1) & this.mask;
    }
    const merged = this.mergeable.get(this.symbolText(l) + this.symbolText(r)) ?? -1;
    this.keyL[i] = l;
    this.keyR[i] = r;
    this.value[i] = merged;
    if (++this.used * 2 > this.mask) this.grow();
    return merged;
  }

  /**
   * Doubles the table once it is half full, so probes stay short; past maxSlots (text with
   * millions of distinct character pairs) it starts over empty instead, bounding memory.
   */
  private grow(): void {
    const { keyL, keyR, value } = this;
    if (keyL.length >= this.maxSlots) {
      this.keyL.fill(-1);
      this.used = 0;
      return;
    }
    const cap = (this.mask + 1) * 2;
    this.mask = cap - 1;
    this.keyL = new Int32Array(cap).fill(-1);
    this.keyR = new Int32Array(cap);
    this.value = new Int32Array(cap);
    for (let j = 0; j < keyL.length; j++) {
      const l = keyL[j]!;
      if (l === -1) continue;
      let i = this.slot(l, keyR[j]!);
      while (this.keyL[i] !== -1) i = (i + 1) & this.mask;
      this.keyL[i] = l;
      this.keyR[i] = keyR[j]!;
      this.value[i] = value[j]!;
    }
  }
}
