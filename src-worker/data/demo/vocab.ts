import type { Rng } from '../../../src-shared/random';

/**
 * The demo's small closed vocabulary: short ASCII words, so a byte-level model of a few
 * hundred thousand parameters can learn them from the pre-training corpus.
 */

/** Whitespace-separated words of a template literal (keeps the lists readable). */
function words(text: string): readonly string[] {
  return text.trim().split(/\s+/);
}

export const WORDS = words(`
  cat dog sun tree fish bird moon star cake milk book lamp door rain snow king ship
  frog bell rose salt wind gold leaf hill road ring coat kite bear wolf duck corn pear
  plum rock sand wave apple river stone cloud bread chair light green happy little banana garden
`);

export const NAMES = words(`
  Ana Ben Cleo Dan Eva Finn Gus Hana Ivo Jade Kai Lena Milo Nina Omar Pia Rex Sara Tom Uma
  Vera Wes Yara Zoe
`);

export const CITIES = words(
  'Lima Oslo Rome Kyiv Baku Doha Lyon Pune Cork Bonn Nice Riga Faro Graz Metz Kobe',
);

export const COLORS = words('red blue green pink gray black white brown orange purple');

export const PETS = words('cat dog fish bird frog duck rabbit horse');

/** One element of a non-empty list, uniformly. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

/** Integer uniform in [lo, hi]. */
export function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** `k` distinct elements in random order. */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  return rng.shuffle([...items]).slice(0, k);
}

/** "a", "a and b", "a, b and c": lists the way the long answers spell them out. */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
