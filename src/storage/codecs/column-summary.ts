import { assertNever } from '../../lib/index.js';
import { ByteReader, ByteWriter } from '../bytes.js';
import { canonicalInt } from '../values.js';
import type { SqlType, SqlValue } from '../values.js';
import { unzigzag, zigzag } from './zigzag.js';

/** Smallest and greatest non-null value of a column in a block (NaN ignored), for block skipping. */
export interface ColumnSummary {
  readonly min: SqlValue;
  readonly max: SqlValue;
}

const ZIGZAG_LIMIT = 2 ** 50;

/**
 * Strings in UTF-8 byte order. UTF-16 code units below U+D800 order like their UTF-8 bytes, so
 * the first differing unit decides when both lie there; otherwise (surrogates, U+E000 and up,
 * where the orders part) the bytes are compared.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === length) return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function compareValues(type: SqlType, a: SqlValue, b: SqlValue): number {
  if (type === 'STRING') return compareUtf8(a as string, b as string);
  if (a === b) return 0;
  return (a as number | bigint | boolean) < (b as number | bigint | boolean) ? -1 : 1;
}

/** Min and max of the non-null values (NaN does not count), or undefined when there are none. */
export function summarize(type: SqlType, all: ArrayLike<SqlValue>): ColumnSummary | undefined {
  // Strings compare by UTF-8 bytes (costly): compare each distinct value once.
  const values = type === 'STRING' ? [...new Set(Array.from(all))] : all;
  let min: SqlValue = null;
  let max: SqlValue = null;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as SqlValue;
    if (value === null || Number.isNaN(value)) continue;
    if (min === null || compareValues(type, value, min) < 0) min = value;
    if (max === null || compareValues(type, value, max) > 0) max = value;
  }
  return min === null ? undefined : { min, max };
}

function writeScalar(writer: ByteWriter, type: SqlType, value: SqlValue): void {
  switch (type) {
    case 'INT':
      if (typeof value === 'number' && Math.abs(value) < ZIGZAG_LIMIT) writer.u8(0).varint(zigzag(value));
      else writer.u8(1).i64be(BigInt(value as number | bigint));
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
      assertNever(type, 'column type');
  }
}

function readScalar(reader: ByteReader, type: SqlType): SqlValue {
  switch (type) {
    case 'INT':
      return reader.u8() === 0 ? unzigzag(reader.varint()) : canonicalInt(reader.i64be());
    case 'FLOAT':
      return reader.f64be();
    case 'STRING':
      return reader.string();
    case 'BOOLEAN':
      return reader.u8() === 1;
    default:
      return assertNever(type, 'column type');
  }
}

/** Append a summary: u8 present | min | max. */
export function writeSummary(
  writer: ByteWriter,
  type: SqlType,
  summary: ColumnSummary | undefined,
): void {
  if (summary === undefined) {
    writer.u8(0);
    return;
  }
  writer.u8(1);
  writeScalar(writer, type, summary.min);
  writeScalar(writer, type, summary.max);
}

/** Read what writeSummary wrote. */
export function readSummary(reader: ByteReader, type: SqlType): ColumnSummary | undefined {
  if (reader.u8() === 0) return undefined;
  const min = readScalar(reader, type);
  return { min, max: readScalar(reader, type) };
}
