import { ChronosError } from '../lib/index.js';

/**
 * The protobuf wire format, the little of it the Raft stream and SqlResponse need: varints
 * (uint64 as safe integers, int64 as two's complement, bools, enums), doubles and
 * length-delimited fields (strings, bytes, nested messages). Writing is in one pass into a
 * buffer of the exact size computed first.
 */

/** Wire types of the protobuf encoding. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** Bytes of `value` (a non-negative safe integer) as a varint. */
export function varintSize(value: number): number {
  let size = 1;
  // Bounded: a safe integer has at most 8 varint groups after the first.
  for (let rest = value; rest >= 128; rest = Math.floor(rest / 128)) size++;
  return size;
}

/** Bytes of a field's tag. */
export function tagSize(field: number): number {
  return varintSize(field * 8);
}

/** Bytes of a length-delimited field carrying `length` bytes, tag included. */
export function delimitedSize(field: number, length: number): number {
  return tagSize(field) + varintSize(length) + length;
}

/** Writes fields into a buffer sized beforehand; `finish` checks the size was exact. */
export class WireWriter {
  readonly #bytes: Buffer;
  #at = 0;

  constructor(size: number) {
    this.#bytes = Buffer.allocUnsafe(size);
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ChronosError('INVALID_ARGUMENT', `protobuf varint: ${value} is not a non-negative safe integer`);
    }
    let rest = value;
    // Above 2^31 bit operations would truncate: divide instead.
    while (rest >= 128) {
      this.#bytes[this.#at++] = (rest % 128) | 128;
      rest = Math.floor(rest / 128);
    }
    this.#bytes[this.#at++] = rest;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** An int64 as protobuf writes it: two's complement in 64 bits, so a negative takes 10 bytes. */
  varint64(value: bigint): void {
    let rest = BigInt.asUintN(64, value);
    while (rest >= 128n) {
      this.#bytes[this.#at++] = Number(rest & 127n) | 128;
      rest >>= 7n;
    }
    this.#bytes[this.#at++] = Number(rest);
  }

  /** A double, little-endian (wire type fixed64). */
  double(value: number): void {
    this.#bytes.writeDoubleLE(value, this.#at);
    this.#at += 8;
  }

  /** A string's UTF-8 bytes (its length, `byteLength`, written before by the caller). */
  utf8(text: string, byteLength: number): void {
    this.#at += this.#bytes.write(text, this.#at, byteLength, 'utf8');
  }

  /** Raw bytes the caller already encoded. */
  raw(bytes: Uint8Array): void {
    this.#bytes.set(bytes, this.#at);
    this.#at += bytes.length;
  }

  /** A varint field, left out when 0 (the proto3 default). */
  uintField(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  boolField(field: number, value: boolean): void {
    if (!value) return;
    this.tag(field, WIRE_VARINT);
    this.varint(1);
  }

  /** A length-delimited field of `length` bytes; the caller writes them next. */
  delimitedHeader(field: number, length: number): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(length);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.delimitedHeader(field, bytes.length);
    this.raw(bytes);
  }

  /** A string field whose UTF-8 length the caller computed (Buffer.byteLength). */
  stringField(field: number, text: string, byteLength: number): void {
    if (byteLength === 0) return;
    this.delimitedHeader(field, byteLength);
    this.utf8(text, byteLength);
  }

  finish(): Buffer {
    if (this.#at !== this.#bytes.length) {
      throw new ChronosError('INVALID_ARGUMENT', `protobuf writer: wrote ${this.#at} of ${this.#bytes.length} bytes`);
    }
    return this.#bytes;
  }
}

/** Bytes of an int64 varint (two's complement in 64 bits). */
export function varint64Size(value: bigint): number {
  let size = 1;
  for (let rest = BigInt.asUintN(64, value); rest >= 128n; rest >>= 7n) size++;
  return size;
}

/** Size of a varint field as `uintField` writes it (nothing for 0). */
export function uintFieldSize(field: number, value: number): number {
  return value === 0 ? 0 : tagSize(field) + varintSize(value);
}

/** Size of a bool field as `boolField` writes it (nothing for false). */
export function boolFieldSize(field: number, value: boolean): number {
  return value ? tagSize(field) + 1 : 0;
}

/** Size of a bytes or string field of `length` bytes (nothing when empty). */
export function optionalDelimitedSize(field: number, length: number): number {
  return length === 0 ? 0 : delimitedSize(field, length);
}

/** Reads the fields of one message, in order, from `bytes[start, end)`. */
export class WireReader {
  readonly #bytes: Buffer;
  #at: number;
  readonly #end: number;
  readonly #what: string;

  constructor(bytes: Buffer, what: string, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#at = start;
    this.#end = end;
    this.#what = what;
  }

  get done(): boolean {
    return this.#at >= this.#end;
  }

  /** The next field's number and wire type. */
  tag(): { readonly field: number; readonly wireType: number } {
    const tag = this.varint();
    return { field: Math.floor(tag / 8), wireType: tag % 8 };
  }

  /** A varint as a safe integer (a uint64 past 2^53 is refused, never rounded). */
  varint(): number {
    let value = 0;
    let scale = 1;
    // Bounded: ten groups at most, then the value is malformed.
    for (let groups = 0; groups < 10; groups++) {
      if (this.#at >= this.#end) throw this.#corrupt('truncated varint');
      const byte = this.#bytes[this.#at++] ?? 0;
      value += (byte & 127) * scale;
      if (byte < 128) {
        if (!Number.isSafeInteger(value)) throw this.#corrupt(`varint ${value} is past 2^53`);
        return value;
      }
      scale *= 128;
    }
    throw this.#corrupt('varint longer than 10 bytes');
  }

  /** An int64 varint as a number when it is a small non-negative one, else as a bigint. */
  int64(): number | bigint {
    // Up to 7 groups (49 bits) the value is non-negative and exact as a number.
    for (let i = this.#at; i < this.#end && i < this.#at + 7; i++) {
      if ((this.#bytes[i] ?? 0) < 128) return this.varint();
    }
    return this.varint64();
  }

  /** An int64 varint (two's complement in 64 bits) as a bigint. */
  varint64(): bigint {
    let value = 0n;
    let shift = 0n;
    // Bounded: ten groups at most, then the value is malformed.
    for (let groups = 0; groups < 10; groups++) {
      if (this.#at >= this.#end) throw this.#corrupt('truncated varint');
      const byte = this.#bytes[this.#at++] ?? 0;
      value |= BigInt(byte & 127) << shift;
      if (byte < 128) return BigInt.asIntN(64, value);
      shift += 7n;
    }
    throw this.#corrupt('varint longer than 10 bytes');
  }

  /** A little-endian double (wire type fixed64). */
  double(): number {
    if (8 > this.#end - this.#at) throw this.#corrupt('truncated double');
    const value = this.#bytes.readDoubleLE(this.#at);
    this.#at += 8;
    return value;
  }

  /** The bounds of a length-delimited field's bytes; the reader moves past them. */
  delimited(): { readonly start: number; readonly end: number } {
    const length = this.varint();
    const start = this.#at;
    if (length > this.#end - start) throw this.#corrupt(`field of ${length} bytes past the end`);
    this.#at = start + length;
    return { start, end: this.#at };
  }

  string(): string {
    const { start, end } = this.delimited();
    return this.#bytes.toString('utf8', start, end);
  }

  /** A view (no copy) of a bytes field. */
  bytes(): Uint8Array {
    const { start, end } = this.delimited();
    return new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset + start, end - start);
  }

  /** A reader of the nested message in the next length-delimited field. */
  message(what: string): WireReader {
    const { start, end } = this.delimited();
    return new WireReader(this.#bytes, what, start, end);
  }

  /** Passes over a field this decoder does not know (a newer peer may send more). */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        // Any width: an unknown int64 may be negative or past 2^53.
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.#advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.delimited();
        return;
      case WIRE_FIXED32:
        this.#advance(4);
        return;
      default:
        throw this.#corrupt(`unknown wire type ${wireType}`);
    }
  }

  #advance(count: number): void {
    if (count > this.#end - this.#at) throw this.#corrupt('truncated field');
    this.#at += count;
  }

  #corrupt(problem: string): ChronosError {
    return new ChronosError('CORRUPTION', `gRPC ${this.#what}: ${problem}`);
  }
}
