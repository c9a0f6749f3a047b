import { assertNever, ChronosError } from '../lib/index.js';
import { ByteWriter } from './bytes.js';
import { INT64_MAX, INT64_MIN, canonicalInt } from './values.js';
import type { SqlType, SqlValue } from './values.js';

/**
 * Order-preserving, self-delimiting key encoding of typed values: comparing the encoded bytes
 * equals comparing the values, and a tuple is the concatenation of its values, so tuples
 * compare column by column and any whole-value prefix of a key is a byte prefix of it.
 * Every value starts with a tag byte below 0xFF, which makes `prefix ‖ 0xFF` an upper bound
 * for every key that extends `prefix` (see `rangeBounds`).
 */
export const KEY_TAG_NULL = 0x01;
export const KEY_TAG_FALSE = 0x02;
export const KEY_TAG_TRUE = 0x03;
export const KEY_TAG_INT = 0x10;
export const KEY_TAG_FLOAT = 0x20;
export const KEY_TAG_STRING = 0x30;
/** Greater than every tag: appended to a prefix it bounds all keys extending the prefix. */
export const KEY_TAG_MAX = 0xff;

const TWO_POW_32 = 0x1_0000_0000;
const SAFE_HIGH_WORD = 0x20_0000; // 2^21: |high word| below this keeps the value a safe number

const scratch = Buffer.alloc(8);

/** Append the key encoding of an INT (number or bigint, already range-checked). */
export function writeIntKey(writer: ByteWriter, value: number | bigint): void {
  writer.u8(KEY_TAG_INT);
  if (typeof value === 'number') {
    const high = Math.floor(value / TWO_POW_32);
    scratch.writeInt32BE(high, 0);
    scratch.writeUInt32BE(value - high * TWO_POW_32, 4);
  } else {
    scratch.writeBigInt64BE(value, 0);
  }
  // Flipping the sign bit turns two's complement order into unsigned byte order.
  scratch[0] = (scratch[0] as number) ^ 0x80;
  writer.bytes(scratch);
}

function writeFloatKey(writer: ByteWriter, value: number): void {
  writer.u8(KEY_TAG_FLOAT);
  // -0 equals 0, and every NaN is one NaN that sorts after +Infinity.
  scratch.writeDoubleBE(value === 0 ? 0 : Number.isNaN(value) ? Number.NaN : value, 0);
  if (((scratch[0] as number) & 0x80) !== 0) {
    for (let i = 0; i < 8; i++) scratch[i] = ~(scratch[i] as number) & 0xff;
  } else {
    scratch[0] = (scratch[0] as number) ^ 0x80;
  }
  writer.bytes(scratch);
}

function writeStringKey(writer: ByteWriter, value: string): void {
  writer.u8(KEY_TAG_STRING);
  const utf8 = Buffer.from(value, 'utf8');
  // 0x00 is escaped as 0x00 0xFF and the string ends with 0x00 0x01, so a string sorts
  // before every longer string it is a prefix of, and no encoding is a prefix of another.
  let start = 0;
  for (let i = 0; i < utf8.length; i++) {
    if (utf8[i] !== 0) continue;
    writer.bytes(utf8.subarray(start, i + 1)).u8(0xff);
    start = i + 1;
  }
  writer.bytes(utf8.subarray(start)).u8(0x00).u8(0x01);
}

/** Append the key encoding of `value`, which must already fit `type` (see normalizeValue). */
export function writeKeyValue(writer: ByteWriter, value: SqlValue, type: SqlType): void {
  if (value === null) {
    writer.u8(KEY_TAG_NULL);
    return;
  }
  switch (type) {
    case 'INT':
      writeIntKey(writer, value as number | bigint);
      return;
    case 'FLOAT':
      writeFloatKey(writer, value as number);
      return;
    case 'STRING':
      writeStringKey(writer, value as string);
      return;
    case 'BOOLEAN':
      writer.u8(value === true ? KEY_TAG_TRUE : KEY_TAG_FALSE);
      return;
    default:
      assertNever(type, 'column type');
  }
}

/** Reused by every encodeKeyTuple (synchronous, so never shared by two calls at once). */
const KEY_WRITER = new ByteWriter(64);

/** The key encoding of a tuple of values of the given types. */
export function encodeKeyTuple(values: readonly SqlValue[], types: readonly SqlType[]): Uint8Array {
  return encodePrefixedKeyTuple(EMPTY_PREFIX, values, types);
}

const EMPTY_PREFIX = new Uint8Array(0);

/** `prefix` followed by the key encoding of the tuple, in one piece (a full storage key). */
export function encodePrefixedKeyTuple(
  prefix: Uint8Array, values: readonly SqlValue[], types: readonly SqlType[],
): Uint8Array {
  const writer = KEY_WRITER.reset().bytes(prefix);
  for (let i = 0; i < values.length; i++) {
    writeKeyValue(writer, values[i] as SqlValue, types[i] as SqlType);
  }
  return writer.finish();
}

function corrupt(offset: number): ChronosError {
  return new ChronosError('CORRUPTION', `malformed key at offset ${offset}`, {
    details: { offset },
  });
}

/** Decode one key value at `offset`; returns the value and the offset after it. */
export function readKeyValue(bytes: Uint8Array, offset: number): [SqlValue, number] {
  const tag = bytes[offset];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (tag) {
    case KEY_TAG_NULL:
      return [null, offset + 1];
    case KEY_TAG_FALSE:
      return [false, offset + 1];
    case KEY_TAG_TRUE:
      return [true, offset + 1];
    case KEY_TAG_INT: {
      if (offset + 9 > bytes.length) throw corrupt(offset);
      const high = (buffer.readUInt32BE(offset + 1) ^ 0x8000_0000) | 0;
      const low = buffer.readUInt32BE(offset + 5);
      if (high >= -SAFE_HIGH_WORD && high < SAFE_HIGH_WORD) {
        const value = high * TWO_POW_32 + low;
        if (Number.isSafeInteger(value)) return [value, offset + 9];
      }
      const big = (BigInt(high) << 32n) | BigInt(low);
      return [canonicalInt(big), offset + 9];
    }
    case KEY_TAG_FLOAT: {
      if (offset + 9 > bytes.length) throw corrupt(offset);
      const copy = Buffer.from(bytes.subarray(offset + 1, offset + 9));
      if (((copy[0] as number) & 0x80) !== 0) copy[0] = (copy[0] as number) ^ 0x80;
      else for (let i = 0; i < 8; i++) copy[i] = ~(copy[i] as number) & 0xff;
      return [copy.readDoubleBE(0), offset + 9];
    }
    case KEY_TAG_STRING: {
      const parts: Buffer[] = [];
      let start = offset + 1;
      for (let i = start; i + 1 < bytes.length; i++) {
        if (bytes[i] !== 0) continue;
        const next = bytes[i + 1];
        if (next === 0x01) {
          parts.push(buffer.subarray(start, i));
          return [Buffer.concat(parts).toString('utf8'), i + 2];
        }
        if (next !== 0xff) throw corrupt(i);
        parts.push(buffer.subarray(start, i + 1));
        start = i + 2;
        i++;
      }
      throw corrupt(offset);
    }
    default:
      throw corrupt(offset);
  }
}

/** Decode `count` values starting at `offset`. */
export function readKeyTuple(
  bytes: Uint8Array,
  offset: number,
  count: number,
): [SqlValue[], number] {
  const values: SqlValue[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const [value, next] = readKeyValue(bytes, at);
    values.push(value);
    at = next;
  }
  return [values, at];
}

/** Offset just past the STRING key value at `offset`, without decoding it (00 FF is an escaped 00). */
function stringKeyEnd(bytes: Uint8Array, offset: number): number {
  for (let i = offset + 1; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    if (bytes[i + 1] === 0x01) return i + 2;
    if (bytes[i + 1] !== 0xff) throw corrupt(i);
    i++;
  }
  throw corrupt(offset);
}

/** Offset just past `count` encoded values (to find where an index key's row key starts). */
export function skipKeyTuple(bytes: Uint8Array, offset: number, count: number): number {
  let at = offset;
  for (let i = 0; i < count; i++) {
    const tag = bytes[at];
    if (tag === KEY_TAG_INT || tag === KEY_TAG_FLOAT) at += 9;
    else if (tag === KEY_TAG_NULL || tag === KEY_TAG_FALSE || tag === KEY_TAG_TRUE) at += 1;
    else if (tag === KEY_TAG_STRING) at = stringKeyEnd(bytes, at);
    else at = readKeyValue(bytes, at)[1];
  }
  if (at > bytes.length) throw corrupt(offset);
  return at;
}

/** Clamp-free check that an INT fits int64 (the key encoding has exactly 8 bytes). */
export function fitsInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}
