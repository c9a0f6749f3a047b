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


/** Min and max of the non-null values (NaN does not count), or undefined when there are none. */
export function summarize(type: SqlType, all: ArrayLike<SqlValue>): ColumnSummary | undefined {
  return type === 'STRING' ? summarizeStrings(all) : summarizeOrdered(all);
}

/** Numbers, bigints (mixed freely: JS orders them together) and booleans compare with < and >. */
function summarizeOrdered(all: ArrayLike<SqlValue>): ColumnSummary | undefined {
  let min: SqlValue = null;
  let max: SqlValue = null;
  for (let i = 0; i < all.length; i++) {
    const value = all[i] as SqlValue;
    if (value === null || value !== value) continue;
    if (min === null || value < min) min = value;
    if (max === null || value > max) max = value;
  }
  return min === null ? undefined : { min, max };
}

/** Strings in UTF-8 byte order; a value equal to the current min or max (the common repeat) costs no comparison. */
function summarizeStrings(all: ArrayLike<SqlValue>): ColumnSummary | undefined {
  let min: string | null = null;
  let max: string | null = null;
  for (let i = 0; i < all.length; i++) {
    const value = all[i] as string | null;
    if (value === null || value === min || value === max) continue;
    if (min === null || compareUtf8(value, min) < 0) min = value;
    if (max === null || compareUtf8(value, max) > 0) max = value;
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
