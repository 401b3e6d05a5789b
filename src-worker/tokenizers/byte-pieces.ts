/** Text of the bytes that consecutive `<0xNN>` byte-fallback pieces spell. */

/**
 * The valid UTF-8 character at `i` of `bytes` as [byte length, code point], or [0, 0] when the
 * bytes there are not one (bad lead, missing continuation, overlong form, surrogate, > U+10FFFF).
 */
function utf8CharAt(bytes: readonly number[], i: number): [number, number] {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return [1, b0];
  let len: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [len, min] = [2, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [len, min] = [3, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [len, min] = [4, 0x10000];
  else return [0, 0];
  if (i + len > bytes.length) return [0, 0];
  let cp = b0 & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const b = bytes[i + k]!;
    if ((b & 0xc0) !== 0x80) return [0, 0];
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0, 0];
  return [len, cp];
}

/**
 * Bytes of consecutive `<0xNN>` pieces as text, the way the reference decoder does it: valid
 * UTF-8 characters as they are, and one U+FFFD for EACH byte that does not start a valid
 * character (TextDecoder would merge a truncated sequence into a single U+FFFD).
 */
export function decodeBytesLikeSentencePiece(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const [len, cp] = utf8CharAt(bytes, i);
    out += len === 0 ? '\uFFFD' : String.fromCodePoint(cp);
    i += Math.max(len, 1);
  }
  return out;
}
