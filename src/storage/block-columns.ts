import { assert, assertNever, ChronosError, yieldToEventLoop } from '../lib/index.js';
import { ByteWriter, concatBytes } from './bytes.js';
import { BLOCK_FORMAT } from './block-codec.js';
import { KEYS_ROW_ID } from './block-keys.js';
import type { RowKey } from './engine.js';
import { writeColumn, writeDenseColumn, writeDictColumn, writeJoinedColumn } from './codecs/column-codec.js';
import type { FloatCompression } from './codecs/column-codec.js';
import { writeIntSequence } from './codecs/int-codec.js';
import { hasSurrogate, joinedBounds } from './codecs/joined-strings.js';
import type { PartText } from './codecs/joined-strings.js';
import { usedDictionary } from './codecs/string-dict-codec.js';
import { encodeKeyTuple } from './key-codec.js';
import { blocksPrefix } from './keys.js';
import type { ColumnSchema, TableSchema } from './schema.js';
import { normalizeColumnValue } from './validate.js';
import type { SqlValue } from './values.js';

/**
 * Scratch writers of encodeColumnBlock (finish() copies out): a block is written without growing
 * fresh buffers. Safe to share because encodeColumnBlock is synchronous (callers yield between blocks, never inside one).
 */
const BLOCK_WRITER = new ByteWriter(32 * 1024);
const SECTION_WRITER = new ByteWriter(16 * 1024);

/**
 * One column of rows handed to the storage as columns (WriteTransaction.insertAsBlocks):
 * - numbers: an INT (safe integers) or FLOAT column without NULL;
 * - strings: a STRING column without NULL, row i being `entries[indexes[i]]`;
 * - joined: a STRING column whose row i is the `parts` columns' values of row i joined by
 *   `separator` (parts: STRING or INT columns given as numbers or strings); stored as that
 *   rule, not as strings (codecs/joined-strings.ts);
 * - values: any values, NULL included, checked and coerced as an INSERT would.
 */
export type ColumnInput =
  | { readonly kind: 'numbers'; readonly values: Float64Array }
  | { readonly kind: 'strings'; readonly entries: readonly string[]; readonly indexes: Uint32Array }
  | { readonly kind: 'joined'; readonly parts: readonly number[]; readonly separator: string }
  | { readonly kind: 'values'; readonly values: readonly SqlValue[] };

/** Rows as columns, one input per table column in the table's order. */
export interface BlockColumns {
  readonly length: number;
  readonly columns: readonly ColumnInput[];
}

/** Rows as columns in the `values` form: what a list of rows becomes. */
export function blockColumnsOfRows(width: number, rows: readonly (readonly SqlValue[])[]): BlockColumns {
  const columns = Array.from({ length: width }, (_, c): ColumnInput => ({ kind: 'values', values: rows.map((row) => row[c] ?? null) }));
  return { length: rows.length, columns };
}

function invalid(schema: TableSchema, column: ColumnSchema, why: string): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', `column ${schema.name}.${column.name}: ${why}`, { details: { table: schema.name, column: column.name } });
}

/** Throws unless every input fits its column; `values` inputs come back coerced. */
export function checkedColumns(schema: TableSchema, input: BlockColumns): BlockColumns {
  if (input.columns.length !== schema.columns.length) {
    throw new ChronosError('INVALID_ARGUMENT', `table ${schema.name} has ${schema.columns.length} columns, got ${input.columns.length}`);
  }
  const columns = input.columns.map((column, c) => checkedColumn(schema, c, column, input.length));
  checkJoinedParts(schema, columns);
  return { length: input.length, columns };
}

function checkedColumn(schema: TableSchema, position: number, input: ColumnInput, length: number): ColumnInput {
  const column = schema.columns[position] as ColumnSchema;
  switch (input.kind) {
    case 'numbers':
      if (input.values.length < length) throw invalid(schema, column, `${input.values.length} values for ${length} rows`);
      if (column.type === 'FLOAT') return input;
      if (column.type !== 'INT') throw invalid(schema, column, `numbers for a ${column.type} column`);
      return { kind: 'numbers', values: checkedInts(schema, column, input.values, length) };
    case 'strings':
      if (column.type !== 'STRING' || input.indexes.length < length) throw invalid(schema, column, 'dictionary strings do not fit');
      for (let i = 0; i < length; i++) if ((input.indexes[i] as number) >= input.entries.length) throw invalid(schema, column, `row ${i} is past the dictionary`);
      return input;
    case 'joined':
      if (column.type !== 'STRING' || input.parts.length === 0) throw invalid(schema, column, 'a joined column is a STRING of one part or more');
      // Parts are stored as UTF-8 each: joined without a separator, or by one holding a lone
      // surrogate, a part ending in a high surrogate and the next starting with a low one
      // would read back as two U+FFFD where the whole string stores one character.
      if (input.separator === '' || hasSurrogate(input.separator)) throw invalid(schema, column, 'a joined column needs a separator without surrogates');
      return input;
    case 'values':
      if (input.values.length < length) throw invalid(schema, column, `${input.values.length} values for ${length} rows`);
      return { kind: 'values', values: input.values.slice(0, length).map((value) => normalizeColumnValue(schema.name, column, value)) };
    default:
      return assertNever(input, 'column input');
  }
}

/** INT values must be safe integers; -0 becomes 0, as an INSERT stores it. */
function checkedInts(schema: TableSchema, column: ColumnSchema, values: Float64Array, length: number): Float64Array {
  let out = values;
  for (let i = 0; i < length; i++) {
    const value = values[i] as number;
    if (!Number.isSafeInteger(value)) throw invalid(schema, column, `row ${i} holds ${value}, not a safe integer`);
    if (Object.is(value, -0)) {
      if (out === values) out = values.slice();
      out[i] = 0;
    }
  }
  return out;
}

/** A joined column's parts must be INT or STRING columns given as numbers or strings. */
function checkJoinedParts(schema: TableSchema, columns: readonly ColumnInput[]): void {
  columns.forEach((input, position) => {
    if (input.kind !== 'joined') return;
    for (const part of input.parts) {
      const partInput = columns[part];
      const fits = partInput !== undefined && (partInput.kind === 'numbers' || partInput.kind === 'strings') &&
        (schema.columns[part] as ColumnSchema).type !== 'FLOAT';
      if (!fits) throw invalid(schema, schema.columns[position] as ColumnSchema, `part ${part} is not an INT or STRING column given as numbers or strings`);
    }
  });
}

/** The text of each row of a part, as the decoder will compute it from the stored part. */
function partText(input: ColumnInput, from: number): PartText {
  if (input.kind === 'numbers') return (row) => String(input.values[from + row]);
  assert(input.kind === 'strings', 'joined parts were checked');
  return (row) => input.entries[input.indexes[from + row] as number] as string;
}

/** The rows [from, to) of the input a block holds, and how its FLOAT columns are compressed. */
export interface BlockSlice {
  readonly from: number;
  readonly to: number;
  readonly floats: FloatCompression;
}

function writeInput(writer: ByteWriter, schema: TableSchema, columns: readonly ColumnInput[], position: number, slice: BlockSlice): void {
  const { from, to, floats } = slice;
  const input = columns[position] as ColumnInput;
  const type = (schema.columns[position] as ColumnSchema).type;
  switch (input.kind) {
    case 'numbers':
      writeDenseColumn(writer, type, input.values.subarray(from, to), floats);
      return;
    case 'strings':
      writeDictColumn(writer, usedDictionary(input.entries, input.indexes, from, to));
      return;
    case 'joined': {
      const texts = input.parts.map((part) => partText(columns[part] as ColumnInput, from));
      writeJoinedColumn(writer, input, joinedBounds(texts, input.separator, to - from));
      return;
    }
    case 'values':
      writeColumn(writer, type, input.values.slice(from, to), floats);
      return;
    default:
      assertNever(input, 'column input');
  }
}

/**
 * Rows [from, to) of checked columns as one block (the format of block-codec.ts) whose rows
 * get the hidden row ids firstId, firstId + 1, ...; returns the block's first and last row keys too.
 */
export function encodeColumnBlock(schema: TableSchema, input: BlockColumns, slice: BlockSlice,
  firstId: number, insertedAtMs: number): { readonly firstKey: RowKey; readonly lastKey: RowKey; readonly block: Uint8Array } {
  const { from, to } = slice;
  assert(schema.primaryKey.length === 0 && to > from && Number.isSafeInteger(firstId + (to - from)), 'a column block of hidden ids');
  const count = to - from;
  const width = schema.columns.length;
  const lastKey = encodeKeyTuple([firstId + count - 1], ['INT']);
  const writer = BLOCK_WRITER.reset();
  writer.u8(BLOCK_FORMAT).varint(count).varint(width).varint(lastKey.length).bytes(lastKey);
  writer.u8(KEYS_ROW_ID);
  writeIntSequence(writer, firstId, 1, count);
  writeIntSequence(writer, insertedAtMs, 0, count);
  const section = SECTION_WRITER;
  for (let c = 0; c < width; c++) {
    writeInput(section.reset(), schema, input.columns, c, slice);
    writer.varint(section.length).bytes(section.written());
  }
  return { firstKey: encodeKeyTuple([firstId], ['INT']), lastKey, block: writer.finish() };
}

/**
 * The LevelDB entries (full key, block) of checked columns cut into blocks of `blockRows`
 * rows, numbered from the hidden row id `firstId`; `lastKey` is the greatest row key written.
 * Yields to the event loop between blocks: a batch of 20,000 readings is several
 * milliseconds of encoding, which would otherwise hold up Raft and HTTP in one piece.
 */
export async function columnBlockEntries(schema: TableSchema, input: BlockColumns, firstId: number, insertedAtMs: number,
  blockRows: number, floats: FloatCompression): Promise<{ readonly entries: { key: Uint8Array; value: Uint8Array }[]; readonly lastKey: RowKey | null }> {
  const prefix = blocksPrefix(schema.id);
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  let lastKey: RowKey | null = null;
  for (let from = 0; from < input.length; from += blockRows) {
    if (from > 0) await yieldToEventLoop();
    const to = Math.min(input.length, from + blockRows);
    const block = encodeColumnBlock(schema, input, { from, to, floats }, firstId + from, insertedAtMs);
    entries.push({ key: concatBytes(prefix, block.firstKey), value: block.block });
    lastKey = block.lastKey;
  }
  return { entries, lastKey };
}
