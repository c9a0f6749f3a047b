import { assertNever, ChronosError } from '../lib/index.js';
import { ByteReader } from './bytes.js';
import { readPrefixKeys } from './block-keys.js';
import { unzigzag } from './codecs/zigzag.js';
import type { StoredRow } from './engine.js';
import type { ColumnSchema } from './schema.js';
import type { SqlValue } from './values.js';
import { canonicalInt } from './values.js';

/**
 * Format 1 of a column-encoded block (before per-column codecs); still decoded, no longer written:
 *   u8 format | varint row count | varint column count
 *   row keys, prefix-compressed: varint shared-with-previous | varint suffix length | suffix
 *   insertedAtMs: zigzag varint of the first, then zigzag varint deltas
 *   per column: null bitmap (1 bit a row), then the non-null values of the column:
 *     INT varint(2·zigzag) below 2^50, else varint 1 + int64;  FLOAT float64;
 *     STRING varint length + UTF-8;  BOOLEAN one byte.
 */
export const BLOCK_FORMAT_V1 = 1;

/** Decode a format-1 block into rows (keys are row keys, without any table prefix). */
export function decodeBlockV1(columns: readonly ColumnSchema[], bytes: Uint8Array): StoredRow[] {
  const reader = new ByteReader(bytes, 'block');
  const format = reader.u8();
  if (format !== BLOCK_FORMAT_V1)
    throw new ChronosError('CORRUPTION', `unknown block format ${format}`);
  const count = reader.varint();
  const columnCount = reader.varint();
  // Fewer columns: the table gained columns after the block was written (they read NULL).
  if (columnCount > columns.length) {
    throw new ChronosError(
      'CORRUPTION',
      `block has ${columnCount} columns, table has ${columns.length}`,
    );
  }
  const keys = readPrefixKeys(reader, count);
  const times: number[] = [];
  let ms = 0;
  for (let r = 0; r < count; r++) {
    ms += unzigzag(reader.varint());
    times.push(ms);
  }
  const values: SqlValue[][] = keys.map(() => new Array<SqlValue>(columns.length).fill(null));
  columns.slice(0, columnCount).forEach((column, c) => readColumn(reader, column, values, c));
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
