import { assert, ChronosError } from '../lib/index.js';

const TWO_POW_32 = 0x1_0000_0000;

/** Size of the slabs small byte strings are carved from. */
const SLAB_BYTES = 8 * 1024;
/** Byte strings longer than this get their own ArrayBuffer. */
const SLAB_MAX_PIECE = 512;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * `length` writable bytes. Small ones are views of a shared slab: keys and row values are small
 * and made by the hundred thousand in a bulk INSERT, and giving each its own ArrayBuffer, or
 * a Buffer from Node's pool (a second object per string), costs twice the time in allocation
 * and GC. A slab lives while any of its pieces does. Callers honour byteOffset.
 */
function pooledBytes(length: number): Uint8Array {
  if (length > SLAB_MAX_PIECE) return new Uint8Array(length);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, length);
  slabUsed += (length + 7) & ~7;
  return out;
}

/** A pooled copy of source[start, end). */
function pooledCopy(source: Uint8Array, start: number, end: number): Uint8Array {
  const out = pooledBytes(end - start);
  out.set(source.subarray(start, end));
  return out;
}

/** The most a reset writer keeps of its buffer. */
const RESET_KEEP_BYTES = 64 * 1024;

/** A growable byte buffer for the binary encodings (keys, rows, catalog, snapshots). */
export class ByteWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes = 64) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  u8(value: number): this {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#reserve(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  u32be(value: number): this {
    // The message is built only on failure: this runs for every key of a bulk write.
    if (!(Number.isInteger(value) && value >= 0 && value < TWO_POW_32)) assert(false, `u32 out of range: ${value}`);
    this.#reserve(4);
    this.#buffer.writeUInt32BE(value, this.#length);
    this.#length += 4;
    return this;
  }

  f64be(value: number): this {
    this.#reserve(8);
    this.#buffer.writeDoubleBE(value, this.#length);
    this.#length += 8;
    return this;
  }

  i64be(value: bigint): this {
    this.#reserve(8);
    this.#buffer.writeBigInt64BE(value, this.#length);
    this.#length += 8;
    return this;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^54 (exact in a double). */
  varint(value: number): this {
    if (!(Number.isInteger(value) && value >= 0 && value <= 2 ** 54)) assert(false, `varint out of range: ${value}`);
    if (value < 0x80) return this.u8(value);
    let rest = value;
    while (rest >= 0x80) {
      this.u8((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    return this.u8(rest);
  }

  /** Length-prefixed UTF-8. */
  string(value: string): this {
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.varint(byteLength);
    this.#reserve(byteLength);
    this.#buffer.write(value, this.#length, 'utf8');
    this.#length += byteLength;
    return this;
  }

  /** Raw UTF-8 without a length. */
  utf8(value: string): this {
    const byteLength = Buffer.byteLength(value, 'utf8');
    this.#reserve(byteLength);
    this.#buffer.write(value, this.#length, 'utf8');
    this.#length += byteLength;
    return this;
  }

  /**
   * Empties the writer for reuse: an encoder that runs per row keeps one writer instead of
   * allocating one per call (finish copies, so earlier results are unaffected).
   */
  reset(): this {
    this.#length = 0;
    // One huge value (a megabyte string) must not stay held by a long-lived writer.
    if (this.#buffer.length > RESET_KEEP_BYTES) this.#buffer = Buffer.allocUnsafe(RESET_KEEP_BYTES);
    return this;
  }

  /** A copy of the written bytes (the internal buffer is reused while growing). */
  finish(): Uint8Array {
    return pooledCopy(this.#buffer, 0, this.#length);
  }

  /** The bytes written so far, not copied: valid until this writer's next write or reset. */
  written(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }
}

/** Sequential reads over stored bytes; running off the end is CORRUPTION, not a crash. */
export class ByteReader {
  readonly #bytes: Buffer;
  #offset: number;
  readonly #what: string;

  constructor(bytes: Uint8Array, what: string, offset = 0) {
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#offset = offset;
    this.#what = what;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(count: number): void {
    if (this.#offset + count > this.#bytes.length) {
      throw new ChronosError('CORRUPTION', `truncated ${this.#what} at offset ${this.#offset}`, {
        details: { what: this.#what, offset: this.#offset },
      });
    }
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.#offset++] as number;
  }

  bytes(count: number): Uint8Array {
    this.#need(count);
    const out = this.#bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return out;
  }

  u32be(): number {
    this.#need(4);
    const value = this.#bytes.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  f64be(): number {
    this.#need(8);
    const value = this.#bytes.readDoubleBE(this.#offset);
    this.#offset += 8;
    return value;
  }

  i64be(): bigint {
    this.#need(8);
    const value = this.#bytes.readBigInt64BE(this.#offset);
    this.#offset += 8;
    return value;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new ChronosError('CORRUPTION', `varint too long in ${this.#what} at ${this.#offset}`);
  }

  string(): string {
    const length = this.varint();
    this.#need(length);
    const value = this.#bytes.toString('utf8', this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }
}

/** Keys up to this long compare fastest in a plain loop (Buffer.compare's call costs more). */
const LOOP_COMPARE_BYTES = 48;

/** Byte-wise comparison of two keys (LevelDB's default order): -1, 0 or 1. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const shorter = Math.min(a.length, b.length);
  if (shorter > LOOP_COMPARE_BYTES) return Buffer.compare(a, b);
  for (let i = 0; i < shorter; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Concatenate key parts. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = pooledBytes(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A Map key for bytes whose string order equals the bytes' order (latin1 = one char a byte). */
export function bytesToMapKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** True when `key` begins with `prefix`. */
export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
