import { assertNever, ChronosError } from '../../lib/index.js';
import { ByteReader, ByteWriter } from '../bytes.js';
import type { SqlType, SqlValue } from '../values.js';
import { readBitmap, writeBitmap } from './bitmap-codec.js';
import { readSummary, summarize, writeSummary } from './column-summary.js';
import type { ColumnSummary } from './column-summary.js';
import { decimalScaling, readDecimalFloats, writeDecimalFloats } from './float-decimal-codec.js';
import { readChimpFloats, writeChimpFloats } from './float-chimp-codec.js';
import { readXorFloats, writeXorFloats } from './float-xor-codec.js';
import { readInts, writeInts } from './int-codec.js';
import { readJoinedSpec, writeJoinedSpec } from './joined-strings.js';
import type { JoinedSpec } from './joined-strings.js';
import { readDictStrings, writeDictionary, writeDictStrings } from './string-dict-codec.js';
import type { UsedDictionary } from './string-dict-codec.js';

/**
 * One column of a block:
 *   u8 has-nulls | [null bitmap, 1 = NULL] | summary (column-summary.ts) | u8 encoding | values
 * The values are the non-null ones, in row order, in the encoding named by the byte.
 */
const ENCODING_INT = 1;
const ENCODING_FLOAT_XOR = 2;
const ENCODING_FLOAT_DECIMAL = 3;
const ENCODING_STRING_DICT = 4;
const ENCODING_BOOLEAN_BITS = 5;
/** STRING values derived from other columns of the block (joined-strings.ts). */
const ENCODING_STRING_JOINED = 6;
/** FLOAT values by Chimp (float-chimp-codec.ts); versions before it refuse the id as CORRUPTION. */
const ENCODING_FLOAT_CHIMP = 7;

/**
 * How FLOAT values that are not scaled decimals are written: 'xor' (the default, every
 * version reads it) or 'chimp' (CHRONOS_CHIMP_ENABLE). Readers take either whatever this says.
 */
export type FloatCompression = 'xor' | 'chimp';

/** The values of a joined column, which only its block can compute from the parts. */
export type JoinedValues = (spec: JoinedSpec) => readonly string[];

/**
 * A decoded column: `values` holds the non-null values densely in row order (a Float64Array
 * for FLOAT and for INT when every value is a safe number), `nulls` flags NULL rows (null when
 * the column has none).
 */
export interface DecodedColumn {
  readonly nulls: readonly boolean[] | null;
  readonly values: Float64Array | readonly SqlValue[];
  readonly summary: ColumnSummary | undefined;
}

/** Decimal-scaled whenever every value allows it (smaller for sensor data), else XOR or Chimp. */
function writeFloats(writer: ByteWriter, values: ArrayLike<number>, compression: FloatCompression): void {
  const scaling = decimalScaling(values);
  if (scaling === undefined && compression === 'chimp') {
    writer.u8(ENCODING_FLOAT_CHIMP);
    writeChimpFloats(writer, values);
  } else if (scaling === undefined) {
    writer.u8(ENCODING_FLOAT_XOR);
    writeXorFloats(writer, values);
  } else {
    writer.u8(ENCODING_FLOAT_DECIMAL);
    writeDecimalFloats(writer, scaling);
  }
}

/** Append one column (values in row order, NULLs included). */
export function writeColumn(writer: ByteWriter, type: SqlType, values: readonly SqlValue[], floats: FloatCompression): void {
  const nulls = values.map((value) => value === null);
  const hasNulls = nulls.includes(true);
  writer.u8(hasNulls ? 1 : 0);
  if (hasNulls) writeBitmap(writer, nulls);
  const present = hasNulls ? values.filter((value) => value !== null) : values;
  writeSummary(writer, type, summarize(type, present));
  writeEncoded(writer, type, present, floats);
}

/** Append a column without NULL from dense values (numbers in a typed array, say). */
export function writeDenseColumn(writer: ByteWriter, type: SqlType, values: ArrayLike<SqlValue>, floats: FloatCompression): void {
  writer.u8(0);
  writeSummary(writer, type, summarize(type, values));
  writeEncoded(writer, type, values, floats);
}

/** Append a STRING column without NULL that is dictionary-coded already. */
export function writeDictColumn(writer: ByteWriter, dictionary: UsedDictionary): void {
  writer.u8(0);
  writeSummary(writer, 'STRING', summarize('STRING', dictionary.entries));
  writer.u8(ENCODING_STRING_DICT);
  writeDictionary(writer, dictionary.entries, dictionary.indexes);
}

/** Append a STRING column stored as its parts; `bounds` are the least and greatest joined value. */
export function writeJoinedColumn(writer: ByteWriter, spec: JoinedSpec, bounds: ColumnSummary | undefined): void {
  writer.u8(0);
  writeSummary(writer, 'STRING', bounds);
  writer.u8(ENCODING_STRING_JOINED);
  writeJoinedSpec(writer, spec);
}

function writeEncoded(writer: ByteWriter, type: SqlType, present: ArrayLike<SqlValue>, floats: FloatCompression): void {
  switch (type) {
    case 'INT':
      writer.u8(ENCODING_INT);
      writeInts(writer, present as ArrayLike<number | bigint>);
      break;
    case 'FLOAT':
      writeFloats(writer, present as ArrayLike<number>, floats);
      break;
    case 'STRING':
      writer.u8(ENCODING_STRING_DICT);
      writeDictStrings(writer, Array.from(present as ArrayLike<string>));
      break;
    case 'BOOLEAN':
      writer.u8(ENCODING_BOOLEAN_BITS);
      writeBitmap(writer, Array.from(present as ArrayLike<boolean>));
      break;
    default:
      assertNever(type, 'column type');
  }
}

function readValues(
  reader: ByteReader,
  type: SqlType,
  count: number,
  joined: JoinedValues | undefined,
): Float64Array | readonly SqlValue[] {
  const encoding = reader.u8();
  const expected: Record<SqlType, readonly number[]> = {
    INT: [ENCODING_INT],
    FLOAT: [ENCODING_FLOAT_XOR, ENCODING_FLOAT_DECIMAL, ENCODING_FLOAT_CHIMP],
    STRING: [ENCODING_STRING_DICT, ENCODING_STRING_JOINED],
    BOOLEAN: [ENCODING_BOOLEAN_BITS],
  };
  if (!expected[type].includes(encoding)) {
    throw new ChronosError('CORRUPTION', `column encoding ${encoding} for a ${type} column`);
  }
  switch (encoding) {
    case ENCODING_INT:
      return readInts(reader, count);
    case ENCODING_FLOAT_XOR:
      return readXorFloats(reader, count);
    case ENCODING_FLOAT_DECIMAL:
      return readDecimalFloats(reader, count);
    case ENCODING_FLOAT_CHIMP:
      return readChimpFloats(reader, count);
    case ENCODING_STRING_DICT:
      return readDictStrings(reader, count);
    case ENCODING_STRING_JOINED:
      return joinedValues(readJoinedSpec(reader), count, joined);
    default:
      return readBitmap(reader, count);
  }
}

function joinedValues(spec: JoinedSpec, count: number, joined: JoinedValues | undefined): readonly string[] {
  if (joined === undefined) throw new ChronosError('CORRUPTION', 'a joined column read without its block');
  const values = joined(spec);
  if (values.length !== count) throw new ChronosError('CORRUPTION', `joined column of ${values.length} values for ${count}`);
  return values;
}

/**
 * Read one column of `rows` rows written by the writers above; `joined` computes a joined
 * column's values from its block.
 */
export function readColumn(reader: ByteReader, type: SqlType, rows: number, joined?: JoinedValues): DecodedColumn {
  const nulls = reader.u8() === 1 ? readBitmap(reader, rows) : null;
  let present = rows;
  if (nulls !== null) for (const isNull of nulls) if (isNull) present--;
  const summary = readSummary(reader, type);
  return { nulls, summary, values: readValues(reader, type, present, joined) };
}

/** One entry per row: null where the column is NULL, `true` elsewhere (COUNT needs no values). */
export function readColumnPresence(reader: ByteReader, rows: number): SqlValue[] {
  const nulls = reader.u8() === 1 ? readBitmap(reader, rows) : null;
  const out = new Array<SqlValue>(rows);
  for (let r = 0; r < rows; r++) out[r] = nulls?.[r] === true ? null : true;
  return out;
}

/** Read only the null flags and summary of a column (block skipping, no value decoding). */
export function readColumnSummary(reader: ByteReader, type: SqlType, rows: number): ColumnSummary | undefined {
  if (reader.u8() === 1) readBitmap(reader, rows);
  return readSummary(reader, type);
}

/** The column's values expanded to one per row (NULLs back in place), as SqlValues. */
export function columnRowValues(column: DecodedColumn, rows: number): SqlValue[] {
  const out = new Array<SqlValue>(rows);
  let next = 0;
  for (let r = 0; r < rows; r++) {
    out[r] = column.nulls?.[r] === true ? null : (column.values[next++] as SqlValue);
  }
  return out;
}
