import { describe, expect, it } from 'vitest';
import { ByteTokenizer } from '../../src-worker/tokenizers/byte';

describe('ByteTokenizer', () => {
  const tok = new ByteTokenizer();

  it('round-trips unicode text through UTF-8 bytes', () => {
    const text = 'héllo wörld — 日本語 🙂\n\ttabs';
    const ids = tok.encode(text);
    expect(ids.length).toBe(new TextEncoder().encode(text).length);
    expect(tok.decode(ids)).toBe(text);
  });

  it('keeps special ids out of the byte range and skips them when decoding', () => {
    const ids = [tok.bosId, ...tok.encode('ab'), tok.eosId, tok.padId];
    expect(new Set([tok.bosId, tok.eosId, tok.padId]).size).toBe(3);
    expect(tok.encode('ab').every((id) => id > 2 && id < tok.vocabSize)).toBe(true);
    expect(tok.decode(ids)).toBe('ab');
  });
});
