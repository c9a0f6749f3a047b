import { assert, ChronosError } from '../lib/index.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { BLOCK_FORMAT_V1, decodeBlockV1 } from './block-codec-v1.js';
import { readBlockKeys, skipBlockKeys, writeBlockKeys } from './block-keys.js';
import { rowsToColumnBatch } from './column-batch.js';
import { BlockSections } from './block-sections.js';
import { columnRowValues, readColumnPresence, readColumnSummary, writeColumn } from './codecs/column-codec.js';
import type { DecodedColumn, FloatCompression } from './codecs/column-codec.js';
import { summarize } from './codecs/column-summary.js';
import type { ColumnSummary } from './codecs/column-summary.js';
import { readInts, writeInts } from './codecs/int-codec.js';
import type { ColumnBatch, RowKey, StoredRow } from './engine.js';
import type { ColumnSchema, TableSchema } from './schema.js';
import type { SqlValue } from './values.js';

/**
 * Column-encoded block of rows in key order, format 2 (see DESIGN.md "Block format"):
 *   u8 format=2 | varint row count | varint column count | varint length + last row key
 *   keys (block-keys.ts) | insertedAtMs through the INT codec
 *   per column: varint byte length | column section (codecs/column-codec.ts)
 * Column sections are length-prefixed so one column (or only its min/max) is read without
 * decoding the others. Format-1 blocks (block-codec-v1.ts) still decode.
 */
export const BLOCK_FORMAT = 2;
const NO_POSITIONS: ReadonlySet<number> = new Set();

/** Encode rows (sorted by key, normalized to the table's columns) as one block value. */
export function encodeBlock(schema: TableSchema, rows: readonly StoredRow[], floats: FloatCompression): Uint8Array {
  const columns = schema.columns;
  const writer = new ByteWriter(64 + rows.length * (2 + columns.length * 2));
  const last = rows.at(-1)?.key ?? new Uint8Array(0);
  writer.u8(BLOCK_FORMAT).varint(rows.length).varint(columns.length).varint(last.length).bytes(last);
  writeBlockKeys(writer, schema, rows);
  writeInts(writer, rows.map((row) => row.insertedAtMs));
  const section = new ByteWriter(64 + rows.length * 2);
  columns.forEach((column, c) => {
    const one = new ByteWriter(16 + rows.length * 2);
    writeColumn(one, column.type, rows.map((row) => row.values[c] as SqlValue), floats);
    section.varint(one.length).bytes(one.finish());
  });
  return writer.bytes(section.finish()).finish();
}

interface BlockHeader {
  readonly rows: number;
  /** Column sections stored: fewer than the table's columns after ALTER TABLE ADD COLUMN. */
  readonly columns: number;
  readonly lastKey: RowKey;
  readonly reader: ByteReader;
}

function readHeader(schema: TableSchema, bytes: Uint8Array): BlockHeader {
  const reader = new ByteReader(bytes, 'block');
  const format = reader.u8();
  if (format !== BLOCK_FORMAT) throw new ChronosError('CORRUPTION', `unknown block format ${format}`);
  const rows = reader.varint();
  const columnCount = reader.varint();
  // Columns are only ever appended to a block's table (DROP COLUMN rewrites its blocks).
  if (columnCount > schema.columns.length) {
    throw new ChronosError(
      'CORRUPTION',
      `block has ${columnCount} columns, table ${schema.name} has ${schema.columns.length}`,
    );
  }
  return { rows, columns: columnCount, lastKey: reader.bytes(reader.varint()), reader };
}

/** Skip keys and insert times; the reader then stands at the first column section. */
function skipToColumns(schema: TableSchema, header: BlockHeader): void {
  readBlockKeys(header.reader, schema, header.rows);
  readInts(header.reader, header.rows);
}

/** Decode a block (format 1 or 2) into rows (keys are row keys, without any table prefix). */
export function decodeBlock(schema: TableSchema, bytes: Uint8Array): StoredRow[] {
  if (bytes[0] === BLOCK_FORMAT_V1) return decodeBlockV1(schema.columns, bytes);
  const header = readHeader(schema, bytes);
  const { reader, rows } = header;
  const keys = readBlockKeys(reader, schema, rows);
  const times = readInts(reader, rows);
  const sections = new BlockSections(schema, rows, header.columns, reader);
  const columns = schema.columns.map((_, c) => columnRowValues(sections.column(c), rows));
  const out = new Array<StoredRow>(rows);
  for (let r = 0; r < rows; r++) {
    const values = columns.map((column) => column[r] as SqlValue);
    const key = typeof keys === 'function' ? keys(values) : (keys[r] as RowKey);
    out[r] = { key, values, insertedAtMs: Number(times[r]) };
  }
  return out;
}

/**
 * The columns at `positions` of a block, one value per row (dense typed arrays where a column
 * has no NULL), with the rows' insert times: no row object and no key is built.
 */
export function decodeBlockColumns(schema: TableSchema, bytes: Uint8Array, positions: readonly number[],
  presenceOnly: ReadonlySet<number> = NO_POSITIONS): ColumnBatch {
  const width = schema.columns.length;
  if (bytes[0] === BLOCK_FORMAT_V1) return rowsToColumnBatch(decodeBlockV1(schema.columns, bytes), positions, width);
  const header = readHeader(schema, bytes);
  const { reader, rows } = header;
  skipBlockKeys(reader, schema, rows);
  const stored = readInts(reader, rows);
  const times = new Float64Array(rows);
  for (let r = 0; r < rows; r++) times[r] = Number(stored[r]);
  const sections = new BlockSections(schema, rows, header.columns, reader);
  const columns = new Array<ArrayLike<SqlValue> | undefined>(width);
  for (const c of positions) {
    const section = presenceOnly.has(c) ? sections.section(c) : null;
    if (section !== null) {
      columns[c] = readColumnPresence(section, rows);
      continue;
    }
    const decoded = sections.column(c);
    columns[c] = decoded.nulls === null ? decoded.values : columnRowValues(decoded, rows);
  }
  return { length: rows, columns, times };
}

/** The sections of a format-2 block's columns. */
function blockSections(schema: TableSchema, bytes: Uint8Array): BlockSections {
  const header = readHeader(schema, bytes);
  skipToColumns(schema, header);
  return new BlockSections(schema, header.rows, header.columns, header.reader);
}

/** Decode one column of a block alone, values densely in a typed array where possible. */
export function decodeBlockColumn(
  schema: TableSchema,
  bytes: Uint8Array,
  position: number,
): DecodedColumn {
  const column = schema.columns[position] as ColumnSchema;
  if (bytes[0] === BLOCK_FORMAT_V1) {
    const values = decodeBlockV1(schema.columns, bytes).map((row) => row.values[position] as SqlValue);
    const present = values.filter((value) => value !== null);
    const nulls = present.length === values.length ? null : values.map((value) => value === null);
    return { nulls, values: present, summary: summarize(column.type, present) };
  }
  assert(position >= 0 && position < schema.columns.length, 'column position in range');
  return blockSections(schema, bytes).column(position);
}

/** Min/max of one column of a block without decoding its values (undefined: all NULL). */
export function blockColumnSummary(
  schema: TableSchema,
  bytes: Uint8Array,
  position: number,
): ColumnSummary | undefined {
  const type = (schema.columns[position] as ColumnSchema).type;
  if (bytes[0] === BLOCK_FORMAT_V1) return decodeBlockColumn(schema, bytes, position).summary;
  assert(position >= 0 && position < schema.columns.length, 'column position in range');
  const sections = blockSections(schema, bytes);
  const section = sections.section(position);
  return section === null ? undefined : readColumnSummary(section, type, sections.rows);
}

/** Number of rows and last row key of a block, read from its header alone (format 2). */
export function blockExtent(schema: TableSchema, bytes: Uint8Array): { rows: number; lastKey: RowKey } {
  if (bytes[0] === BLOCK_FORMAT_V1) {
    const rows = decodeBlockV1(schema.columns, bytes);
    return { rows: rows.length, lastKey: rows.at(-1)?.key ?? new Uint8Array(0) };
  }
  const header = readHeader(schema, bytes);
  return { rows: header.rows, lastKey: header.lastKey };
}
