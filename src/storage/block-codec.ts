import { assert, assertNever } from '../lib/assert.js';
import { ChronosError } from '../lib/errors.js';
import { ByteReader, ByteWriter } from './bytes.js';
import type { StoredRow } from './engine.js';
import type { ColumnSchema } from './schema.js';
import type { SqlValue } from './values.js';
import { canonicalInt } from './values.js';

/**
 * Column-encoded block of rows in key order (see DESIGN.md "Blocks"):
 *   u8 format | varint row count | varint column count
 *   row keys, prefix-compressed: varint shared-with-previous | varint suffix length | suffix
 *   insertedAtMs: zigzag varint of the first, then zigzag varint deltas
 *   per column: null bitmap (1 bit a row), then the non-null values of the column:
 *     INT varint(2·zigzag) below 2^50, else varint 1 + int64;  FLOAT float64;
 *     STRING varint length + UTF-8;  BOOLEAN one byte.
 */
const BLOCK_FORMAT = 1;
const SMALL_LIMIT = 2 ** 50;

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function sharedPrefix(a: Uint8Array, b: Uint8Array): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}

/** Encode rows (sorted by key, normalized to `columns`) as one block value. */
export function encodeBlock(
  columns: readonly ColumnSchema[],
  rows: readonly StoredRow[],
): Uint8Array {
  assert(rows.length > 0, 'a block holds at least one row');
  const writer = new ByteWriter(64 + rows.length * (8 + columns.length * 6));
  writer.u8(BLOCK_FORMAT).varint(rows.length).varint(columns.length);
  let previous: Uint8Array = new Uint8Array(0);
  for (const row of rows) {
    const shared = sharedPrefix(previous, row.key);
    writer
      .varint(shared)
      .varint(row.key.length - shared)
      .bytes(row.key.subarray(shared));
    previous = row.key;
  }
  let previousMs = 0;
  for (const row of rows) {
    assert(Math.abs(row.insertedAtMs) < SMALL_LIMIT, 'insertedAtMs out of range');
    writer.varint(zigzag(row.insertedAtMs - previousMs));
    previousMs = row.insertedAtMs;
  }
  columns.forEach((column, c) => writeColumn(writer, column, rows, c));
  return writer.finish();
}

function writeColumn(
  writer: ByteWriter,
  column: ColumnSchema,
  rows: readonly StoredRow[],
  c: number,
): void {
  const bitmap = new Uint8Array(Math.ceil(rows.length / 8));
  rows.forEach((row, r) => {
    if (row.values[c] === null) bitmap[r >>> 3] = (bitmap[r >>> 3] as number) | (1 << (r & 7));
  });
  writer.bytes(bitmap);
  for (const row of rows) {
    const value = row.values[c] as SqlValue;
    if (value === null) continue;
    switch (column.type) {
      case 'INT':
        if (typeof value === 'number' && Math.abs(value) < SMALL_LIMIT)
          writer.varint(zigzag(value) * 2);
        else writer.varint(1).i64be(BigInt(value as number | bigint));
        break;
      case 'FLOAT':
        writer.f64be(value as number);
        break;
      case 'STRING':
        writer.string(value as string);
        break;
      case 'BOOLEAN':
        writer.u8(value === true ? 1 : 0);
        break;
      default:
        assertNever(column.type, 'column type');
    }
  }
}

/** Decode a block into rows (keys are row keys, without any table prefix). */
export function decodeBlock(columns: readonly ColumnSchema[], bytes: Uint8Array): StoredRow[] {
  const reader = new ByteReader(bytes, 'block');
  const format = reader.u8();
  if (format !== BLOCK_FORMAT)
    throw new ChronosError('CORRUPTION', `unknown block format ${format}`);
  const count = reader.varint();
  const columnCount = reader.varint();
  if (columnCount !== columns.length) {
    throw new ChronosError(
      'CORRUPTION',
      `block has ${columnCount} columns, table has ${columns.length}`,
    );
  }
  // All keys share one allocation: one ArrayBuffer per block instead of one per row.
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
  for (let r = 0; r < count; r++) {
    const shared = shares[r] as number;
    const suffix = suffixes[r] as Uint8Array;
    if (shared > 0) keyBytes.copyWithin(at, previousAt, previousAt + shared);
    keyBytes.set(suffix, at + shared);
    keys[r] = keyBytes.subarray(at, at + shared + suffix.length);
    previousAt = at;
    at += shared + suffix.length;
  }
  const times: number[] = [];
  let ms = 0;
  for (let r = 0; r < count; r++) {
    ms += unzigzag(reader.varint());
    times.push(ms);
  }
  const values: SqlValue[][] = keys.map(() => new Array<SqlValue>(columns.length));
  columns.forEach((column, c) => readColumn(reader, column, values, c));
  return keys.map((key, r) => ({
    key,
    values: values[r] as SqlValue[],
    insertedAtMs: times[r] as number,
  }));
}

function readColumn(
  reader: ByteReader,
  column: ColumnSchema,
  values: SqlValue[][],
  c: number,
): void {
  const bitmap = reader.bytes(Math.ceil(values.length / 8));
  for (let r = 0; r < values.length; r++) {
    const row = values[r] as SqlValue[];
    if (((bitmap[r >>> 3] as number) & (1 << (r & 7))) !== 0) {
      row[c] = null;
      continue;
    }
    switch (column.type) {
      case 'INT': {
        const head = reader.varint();
        row[c] = head === 1 ? canonicalInt(reader.i64be()) : unzigzag(head / 2);
        break;
      }
      case 'FLOAT':
        row[c] = reader.f64be();
        break;
      case 'STRING':
        row[c] = reader.string();
        break;
      case 'BOOLEAN':
        row[c] = reader.u8() === 1;
        break;
      default:
        assertNever(column.type, 'column type');
    }
  }
}
