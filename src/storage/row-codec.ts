import { assert, assertNever, ChronosError } from '../lib/index.js';
import { ByteReader, ByteWriter } from './bytes.js';
import type { ColumnSchema } from './schema.js';
import { canonicalInt } from './values.js';
import type { SqlValue } from './values.js';

/**
 * Compact binary row value: zigzag varint insertedAtMs, varint column count, then per column a
 * tag byte and its payload. Safe INTs are zigzag varints (small numbers take 1-3 bytes);
 * the column type (not the tag) decides INT vs FLOAT, so an integral FLOAT stays a float64.
 */
const TAG_NULL = 0;
const TAG_FALSE = 1;
const TAG_TRUE = 2;
const TAG_INT_VARINT = 3;
const TAG_INT64 = 4;
const TAG_FLOAT = 5;
const TAG_STRING = 6;
const ZIGZAG_LIMIT = 2 ** 50;

/** A decoded row value. */
export interface DecodedRow {
  readonly values: SqlValue[];
  readonly insertedAtMs: number;
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** Reused by every encodeRow (synchronous, so never shared by two calls at once). */
const ROW_WRITER = new ByteWriter(256);

/** Encode a normalized row (see normalizeRow). */
export function encodeRow(
  columns: readonly ColumnSchema[],
  values: readonly SqlValue[],
  insertedAtMs: number,
): Uint8Array {
  if (!(Number.isInteger(insertedAtMs) && Math.abs(insertedAtMs) < ZIGZAG_LIMIT)) {
    assert(false, `insertedAtMs must be an integer below 2^50: ${insertedAtMs}`);
  }
  assert(values.length === columns.length, 'row width must match the table');
  const writer = ROW_WRITER.reset();
  writer.varint(zigzag(insertedAtMs)).varint(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as SqlValue;
    const type = (columns[i] as ColumnSchema).type;
    if (value === null) {
      writer.u8(TAG_NULL);
      continue;
    }
    switch (type) {
      case 'INT':
        // Zigzag doubles the magnitude: beyond 2^52 it would lose the low bit in a double.
        if (typeof value === 'number' && Math.abs(value) < ZIGZAG_LIMIT) {
          writer.u8(TAG_INT_VARINT).varint(zigzag(value));
        } else {
          writer.u8(TAG_INT64).i64be(BigInt(value as number | bigint));
        }
        break;
      case 'FLOAT':
        writer.u8(TAG_FLOAT).f64be(value as number);
        break;
      case 'STRING':
        writer.u8(TAG_STRING).string(value as string);
        break;
      case 'BOOLEAN':
        writer.u8(value === true ? TAG_TRUE : TAG_FALSE);
        break;
      default:
        assertNever(type, 'column type');
    }
  }
  return writer.finish();
}

/** Decode a row value written by encodeRow. */
export function decodeRow(bytes: Uint8Array): DecodedRow {
  const reader = new ByteReader(bytes, 'row');
  const insertedAtMs = unzigzag(reader.varint());
  const count = reader.varint();
  const values: SqlValue[] = new Array<SqlValue>(count);
  for (let i = 0; i < count; i++) {
    const tag = reader.u8();
    switch (tag) {
      case TAG_NULL:
        values[i] = null;
        break;
      case TAG_FALSE:
        values[i] = false;
        break;
      case TAG_TRUE:
        values[i] = true;
        break;
      case TAG_INT_VARINT:
        values[i] = unzigzag(reader.varint());
        break;
      case TAG_INT64:
        values[i] = canonicalInt(reader.i64be());
        break;
      case TAG_FLOAT:
        values[i] = reader.f64be();
        break;
      case TAG_STRING:
        values[i] = reader.string();
        break;
      default:
        throw new ChronosError(
          'CORRUPTION',
          `unknown row value tag ${tag} at offset ${reader.offset - 1}`,
        );
    }
  }
  return { values, insertedAtMs };
}
