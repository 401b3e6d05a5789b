/**
 * A minimal protobuf wire-format reader: just enough to walk the fields of a SentencePiece
 * `ModelProto` without a code generator or a protobuf dependency. It is a cursor, not a
 * parser into objects, because a LLaMA model has 32,000 piece messages and allocating per
 * field made loading slow. Unknown fields are skipped, so newer model files still load.
 */

/** Wire types of the protobuf encoding (groups, types 3 and 4, are not supported). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** Thrown for bytes that are not a well-formed protobuf message. */
export class ProtoFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoFormatError';
  }
}

/** A strict UTF-8 decoder; ignoreBOM keeps a string that IS U+FEFF (LLaMA has such a piece). */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads one message's fields in order:
 * `while (r.next()) { if (r.field === 1) x = r.string(); else r.skip(); }`.
 */
export class ProtoReader {
  /** Field number and wire type of the field `next()` moved to. */
  field = 0;
  wire = 0;
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.buf.length) return false;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wire = key % 8;
    if (this.field === 0) throw new ProtoFormatError('field number 0');
    return true;
  }

  /**
   * A varint. Varints longer than 7 bytes are 64-bit two's complement negatives in practice
   * (an int32 of -1, like LLaMA's `pad_id`), so they are read exactly through BigInt.
   */
  varint(): number {
    const buf = this.buf;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= buf.length) throw new ProtoFormatError('truncated varint');
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    this.pos -= 7;
    let big = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) throw new ProtoFormatError('truncated varint');
      const b = buf[this.pos++]!;
      big |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return Number(BigInt.asIntN(64, big));
    }
    throw new ProtoFormatError('varint longer than 10 bytes');
  }

  /** An int32 field (negatives arrive as 64-bit two's complement). */
  int32(): number {
    this.expect(WIRE_VARINT);
    return this.varint() | 0;
  }

  bool(): boolean {
    this.expect(WIRE_VARINT);
    return this.varint() !== 0;
  }

  float(): number {
    this.expect(WIRE_FIXED32);
    if (this.pos + 4 > this.buf.length) throw new ProtoFormatError('truncated float');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    this.expect(WIRE_BYTES);
    const len = this.varint();
    if (this.pos + len > this.buf.length) {
      throw new ProtoFormatError(`field ${this.field}: truncated length-delimited field`);
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    const b = this.bytes();
    // Most pieces are short ASCII; decoding those by hand skips TextDecoder's per-call cost.
    let ascii = b.length <= 64;
    for (let i = 0; ascii && i < b.length; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode(...b);
    try {
      return utf8.decode(b);
    } catch {
      throw new ProtoFormatError(`field ${this.field}: invalid UTF-8`);
    }
  }

  /** Skips the current field's value. */
  skip(): void {
    switch (this.wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
      case WIRE_FIXED32:
        this.pos += this.wire === WIRE_FIXED64 ? 8 : 4;
        if (this.pos > this.buf.length) throw new ProtoFormatError('truncated fixed-width field');
        return;
      case WIRE_BYTES:
        this.bytes();
        return;
      default:
        throw new ProtoFormatError(`unsupported wire type ${this.wire}`);
    }
  }

  private expect(wire: number): void {
    if (this.wire !== wire) {
      throw new ProtoFormatError(`field ${this.field}: wire type ${this.wire}, expected ${wire}`);
    }
  }
}
