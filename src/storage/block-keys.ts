import { ChronosError } from '../lib/index.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { compareBytes } from './bytes.js';
import { readInts, writeInts } from './codecs/int-codec.js';
import type { RowKey, StoredRow } from './engine.js';
import { KEY_TAG_INT, encodeKeyTuple } from './key-codec.js';
import type { ColumnSchema, TableSchema } from './schema.js';
import { canonicalInt } from './values.js';
import type { SqlValue } from './values.js';

/**
 * How a block stores its row keys:
 *   EXPLICIT: prefix-compressed bytes (varint shared-with-previous | varint suffix length | suffix);
 *   PRIMARY_KEY: nothing: each key is re-encoded from the row's PRIMARY KEY column values;
 *   ROW_ID: the hidden row ids through the INT codec (usually 1, 2, 3...: a few bytes a block).
 * The writer checks that a derived key equals the stored one, else it falls back to EXPLICIT.
 */
export const KEYS_EXPLICIT = 0;
export const KEYS_PRIMARY_KEY = 1;
export const KEYS_ROW_ID = 2;
/** An INT key value: tag byte and 8 bytes. */
const INT_KEY_BYTES = 9;

function sharedPrefix(a: Uint8Array, b: Uint8Array): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

/** Append keys prefix-compressed. */
export function writePrefixKeys(writer: ByteWriter, keys: readonly RowKey[]): void {
  let previous: Uint8Array = new Uint8Array(0);
  for (const key of keys) {
    const shared = sharedPrefix(previous, key);
    writer.varint(shared).varint(key.length - shared).bytes(key.subarray(shared));
    previous = key;
  }
}

/** Read `count` prefix-compressed keys; all share one allocation (one ArrayBuffer a block). */
export function readPrefixKeys(reader: ByteReader, count: number): RowKey[] {
  const shares = new Array<number>(count);
  const suffixes = new Array<Uint8Array>(count);
  let total = 0;
  for (let r = 0; r < count; r++) {
    shares[r] = reader.varint();
    suffixes[r] = reader.bytes(reader.varint());
    total += (shares[r] as number) + (suffixes[r] as Uint8Array).length;
  }
  const keyBytes = new Uint8Array(total);
  const keys: Uint8Array[] = new Array<Uint8Array>(count);
  let at = 0;
  let previousAt = 0;
  let previousLength = 0;
  for (let r = 0; r < count; r++) {
    const shared = shares[r] as number;
    const suffix = suffixes[r] as Uint8Array;
    if (shared > previousLength) throw new ChronosError('CORRUPTION', 'block key prefix too long');
    if (shared > 0) keyBytes.copyWithin(at, previousAt, previousAt + shared);
    keyBytes.set(suffix, at + shared);
    keys[r] = keyBytes.subarray(at, at + shared + suffix.length);
    previousAt = at;
    previousLength = shared + suffix.length;
    at += previousLength;
  }
  return keys;
}

/** The key of a row derived from its PRIMARY KEY values. */
export function primaryKeyOf(schema: TableSchema, values: readonly SqlValue[]): RowKey {
  return encodeKeyTuple(
    schema.primaryKey.map((position) => values[position] as SqlValue),
    schema.primaryKey.map((position) => (schema.columns[position] as ColumnSchema).type),
  );
}

/** The hidden row id a key encodes, or undefined when the key is not one INT. */
function rowIdOf(key: RowKey): number | bigint | undefined {
  if (key.length !== INT_KEY_BYTES || key[0] !== KEY_TAG_INT) return undefined;
  // As key-codec's readKeyValue decodes it, without a Buffer view and tuple per key: blocks
  // of hidden-id tables ask this of every row they encode.
  const high = ((((key[1] ?? 0) << 24) | ((key[2] ?? 0) << 16) | ((key[3] ?? 0) << 8) | (key[4] ?? 0)) ^ 0x8000_0000) | 0;
  const low = (((key[5] ?? 0) << 24) | ((key[6] ?? 0) << 16) | ((key[7] ?? 0) << 8) | (key[8] ?? 0)) >>> 0;
  const value = high * 0x1_0000_0000 + low;
  return Number.isSafeInteger(value) ? value : canonicalInt((BigInt(high) << 32n) | BigInt(low));
}

function derivedKeyMode(schema: TableSchema, rows: readonly StoredRow[]): number {
  // An INT key of nine bytes is always what encoding its id gives (the codec is a bijection
  // on int64), so hidden row ids need only the shape check.
  if (schema.primaryKey.length === 0) {
    return rows.every((row) => row.key.length === INT_KEY_BYTES && row.key[0] === KEY_TAG_INT) ? KEYS_ROW_ID : KEYS_EXPLICIT;
  }
  for (const row of rows) {
    if (compareBytes(primaryKeyOf(schema, row.values), row.key) !== 0) return KEYS_EXPLICIT;
  }
  return KEYS_PRIMARY_KEY;
}

/** Append u8 key mode and the keys' payload for that mode. */
export function writeBlockKeys(
  writer: ByteWriter,
  schema: TableSchema,
  rows: readonly StoredRow[],
): void {
  const mode = derivedKeyMode(schema, rows);
  writer.u8(mode);
  if (mode === KEYS_EXPLICIT) writePrefixKeys(writer, rows.map((row) => row.key));
  if (mode === KEYS_ROW_ID) writeInts(writer, rows.map((row) => rowIdOf(row.key) as number | bigint));
}

/**
 * Read the key section: the keys themselves (EXPLICIT, ROW_ID) or a function that derives them
 * from row values once the columns are decoded (PRIMARY_KEY).
 */
export function readBlockKeys(
  reader: ByteReader,
  schema: TableSchema,
  count: number,
): RowKey[] | ((values: readonly SqlValue[]) => RowKey) {
  const mode = reader.u8();
  if (mode === KEYS_EXPLICIT) return readPrefixKeys(reader, count);
  if (mode === KEYS_PRIMARY_KEY && schema.primaryKey.length > 0) {
    return (values) => primaryKeyOf(schema, values);
  }
  if (mode === KEYS_ROW_ID && schema.primaryKey.length === 0) {
    const ids = readInts(reader, count);
    return Array.from({ length: count }, (_, r) => encodeKeyTuple([ids[r] as number | bigint], ['INT']));
  }
  throw new ChronosError('CORRUPTION', `block key mode ${mode} does not fit table ${schema.name}`);
}

/** Move `reader` past the key section without building keys (column scans need no keys). */
export function skipBlockKeys(reader: ByteReader, schema: TableSchema, count: number): void {
  const mode = reader.u8();
  if (mode === KEYS_EXPLICIT) {
    for (let r = 0; r < count; r++) {
      reader.varint();
      reader.bytes(reader.varint());
    }
    return;
  }
  if (mode === KEYS_ROW_ID && schema.primaryKey.length === 0) {
    readInts(reader, count);
    return;
  }
  if (mode !== KEYS_PRIMARY_KEY || schema.primaryKey.length === 0) {
    throw new ChronosError('CORRUPTION', `block key mode ${mode} does not fit table ${schema.name}`);
  }
}
