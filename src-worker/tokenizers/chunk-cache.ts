/**
 * Memoized token ids of text chunks, looked up by a range of a larger string without slicing
 * it: most chunks of a dataset (a space plus a word) were seen before, and allocating a
 * substring just to hash it in a Map was the largest remaining cost of encoding. The caller
 * hashes the range while scanning it; a hit is then one probe plus a native `startsWith`.
 *
 * Entries carry a `first` flag because the first chunk of a text is normalized differently
 * (it gets the dummy-prefix space), so the same characters can stand for two different chunks.
 */
export class ChunkCache {
  private keys: (string | undefined)[] = [];
  private hashes = new Int32Array(0);
  private firsts = new Uint8Array(0);
  private offsets = new Int32Array(0);
  private lengths = new Int32Array(0);
  private mask = 0;
  private used = 0;
  private idPool = new Int32Array(1 << 16);
  private poolUsed = 0;

  /** @param maxEntries the cache starts over empty past this many entries, bounding memory. */
  constructor(private readonly maxEntries: number) {
    this.reset();
  }

  private reset(): void {
    const cap = 1 << 12;
    this.keys = new Array<string | undefined>(cap);
    this.hashes = new Int32Array(cap);
    this.firsts = new Uint8Array(cap);
    this.offsets = new Int32Array(cap);
    this.lengths = new Int32Array(cap);
    this.mask = cap - 1;
    this.used = 0;
    this.poolUsed = 0;
  }

  /**
   * Appends the cached ids of `text[start, end)` to `out` and returns true, or returns false
   * when that chunk is not cached. `hash` is `mixHash` of the FNV-1a hash of the range's UTF-16
   * units (`h = Math.imul(h ^ unit, FNV_PRIME)` from `FNV_OFFSET`).
   */
  appendIfCached(
    text: string,
    start: number,
    end: number,
    hash: number,
    first: boolean,
    out: number[],
  ): boolean {
    const len = end - start;
    const f = first ? 1 : 0;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const key = this.keys[i];
      if (key === undefined) return false;
      if (
        this.hashes[i] === hash &&
        this.firsts[i] === f &&
        key.length === len &&
        text.startsWith(key, start)
      ) {
        const off = this.offsets[i]!;
        const n = this.lengths[i]!;
        const pool = this.idPool;
        for (let k = 0; k < n; k++) out.push(pool[off + k]!);
        return true;
      }
    }
  }

  /** Stores the ids of chunk `key` (hashed as for `appendIfCached`) under its first flag. */
  insert(key: string, hash: number, first: boolean, ids: readonly number[]): void {
    if (this.used >= this.maxEntries) this.reset();
    if ((this.used + 1) * 2 > this.mask) this.grow();
    if (this.poolUsed + ids.length > this.idPool.length) {
      const pool = new Int32Array(Math.max(this.idPool.length * 2, this.poolUsed + ids.length));
      pool.set(this.idPool.subarray(0, this.poolUsed));
      this.idPool = pool;
    }
    let i = hash & this.mask;
    while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.hashes[i] = hash;
    this.firsts[i] = first ? 1 : 0;
    this.offsets[i] = this.poolUsed;
    this.lengths[i] = ids.length;
    for (const id of ids) this.idPool[this.poolUsed++] = id;
    this.used++;
  }

  private grow(): void {
    const { keys, hashes, firsts, offsets, lengths } = this;
    const cap = (this.mask + 1) * 2;
    this.keys = new Array<string | undefined>(cap);
    this.hashes = new Int32Array(cap);
    this.firsts = new Uint8Array(cap);
    this.offsets = new Int32Array(cap);
    this.lengths = new Int32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === undefined) continue;
      let i = hashes[j]! & this.mask;
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
      this.keys[i] = keys[j];
      this.hashes[i] = hashes[j]!;
      this.firsts[i] = firsts[j]!;
      this.offsets[i] = offsets[j]!;
      this.lengths[i] = lengths[j]!;
    }
  }
}

/** FNV-1a over UTF-16 code units, mixed so the low bits (the slot) depend on every unit. */
export function mixHash(h: number): number {
  const x = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return x ^ (x >>> 16);
}

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;
