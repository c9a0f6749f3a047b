import { ChronosError } from '../lib/index.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { compareBytes } from './bytes.js';
import { readInts, writeInts } from './codecs/int-codec.js';
import type { RowKey, StoredRow } from './engine.js';
import { KEY_TAG_INT, encodeKeyTuple, readKeyTuple } from './key-codec.js';
import type { ColumnSchema, TableSchema } from './schema.js';
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
  return readKeyTuple(key, 0, 1)[0][0] as number | bigint;
}

function derivedKeyMode(schema: TableSchema, rows: readonly StoredRow[]): number {
  const derive =
    schema.primaryKey.length > 0
      ? (row: StoredRow) => primaryKeyOf(schema, row.values)
      : (row: StoredRow) => {
          const id = rowIdOf(row.key);
          return id === undefined ? undefined : encodeKeyTuple([id], ['INT']);
        };
  for (const row of rows) {
    const derived = derive(row);
    if (derived === undefined || compareBytes(derived, row.key) !== 0) return KEYS_EXPLICIT;
  }
  return schema.primaryKey.length > 0 ? KEYS_PRIMARY_KEY : KEYS_ROW_ID;
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
