import { ChronosError } from '../../lib/index.js';

const TWO_POW_32 = 0x1_0000_0000;

/** Packs values of 0..53 bits, most significant bit first, into bytes (XOR floats, bit-packed ints). */
export class BitWriter {
  #bytes: Uint8Array;
  #bitLength = 0;

  constructor(initialBytes = 64) {
    this.#bytes = new Uint8Array(Math.max(8, initialBytes));
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.#bitLength;
  }

  #reserve(bits: number): void {
    const needed = Math.ceil((this.#bitLength + bits) / 8);
    if (needed <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes);
    this.#bytes = grown;
  }

  /** Write the low `count` (0..32) bits of an unsigned 32-bit value. */
  bits32(value: number, count: number): this {
    this.#reserve(count);
    for (let i = count - 1; i >= 0; i--) {
      if (((value >>> i) & 1) !== 0) {
        const at = this.#bitLength;
        this.#bytes[at >>> 3] = (this.#bytes[at >>> 3] as number) | (0x80 >>> (at & 7));
      }
      this.#bitLength++;
    }
    return this;
  }

  /** Write a non-negative integer below 2^53 in `count` (0..53) bits. */
  bits(value: number, count: number): this {
    if (count <= 32) return this.bits32(value >>> 0, count);
    const high = Math.floor(value / TWO_POW_32);
    this.bits32(high, count - 32);
    return this.bits32(value % TWO_POW_32, 32);
  }

  /** The written bits, zero-padded to a whole byte. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, Math.ceil(this.#bitLength / 8));
  }
}

/** Reads what BitWriter wrote; running past the end is CORRUPTION. */
export class BitReader {
  readonly #bytes: Uint8Array;
  #position = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Read `count` (0..32) bits as an unsigned 32-bit value. */
  bits32(count: number): number {
    if (this.#position + count > this.#bytes.length * 8) {
      throw new ChronosError('CORRUPTION', `truncated bit stream at bit ${this.#position}`);
    }
    let value = 0;
    for (let i = 0; i < count; i++) {
      const at = this.#position++;
      value = ((value << 1) | (((this.#bytes[at >>> 3] as number) >>> (7 - (at & 7))) & 1)) >>> 0;
    }
    return value;
  }

  /** Read a `count` (0..53)-bit non-negative integer. */
  bits(count: number): number {
    if (count <= 32) return this.bits32(count);
    const high = this.bits32(count - 32);
    return high * TWO_POW_32 + this.bits32(32);
  }

  /** One bit as a boolean. */
  bit(): boolean {
    return this.bits32(1) === 1;
  }
}

/** Bits needed to write a non-negative integer below 2^53 (0 for 0). */
export function bitWidth(value: number): number {
  if (value < TWO_POW_32) return 32 - Math.clz32(value);
  return 32 + bitWidth(Math.floor(value / TWO_POW_32));
}
