import { ChronosError } from '../lib/index.js';
import type { StatementResult } from '../sql/index.js';
import { canonicalInt } from '../storage/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import {
  WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader, WireWriter, delimitedSize,
  optionalDelimitedSize, tagSize, uintFieldSize, varint64Size, varintSize,
} from './protobuf-wire.js';
import { sqlFailure, valueMember } from './sql-codec.js';

/**
 * SqlResponse (proto/raft.proto) straight between a StatementResult and protobuf bytes: rows
 * of Values without protobufjs objects (whose int64s travel as decimal strings and Longs).
 * The same bytes any protobuf decoder reads; sql-codec.ts keeps the object forms for the rest.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Value's oneof members. */
const STRING_VALUE = 1;
const INT_VALUE = 2;
const FLOAT_VALUE = 3;
const BOOL_VALUE = 4;
const NULL_VALUE = 5;

/** A value as the member it travels in (sql-codec's valueMember chooses it). */
type Member =
  | { readonly field: typeof STRING_VALUE; readonly text: string; readonly bytes: number }
  | { readonly field: typeof INT_VALUE; readonly int: number | bigint }
  | { readonly field: typeof FLOAT_VALUE; readonly float: number }
  | { readonly field: typeof BOOL_VALUE | typeof NULL_VALUE; readonly flag: boolean };

function intMember(value: number | bigint): Member {
  // A non-negative safe integer goes as a number; the rest (negatives: 10 bytes) as a bigint.
  if (typeof value === 'number') return value >= 0 ? { field: INT_VALUE, int: value } : { field: INT_VALUE, int: BigInt(value) };
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new ChronosError('INVALID_ARGUMENT', `INT value ${value} does not fit the answer's int64`);
  }
  return { field: INT_VALUE, int: value };
}

function member(value: SqlValue, type: SqlType | null): Member {
  switch (valueMember(value, type)) {
    case 'null':
      return { field: NULL_VALUE, flag: true };
    case 'int': {
      const int = value as number | bigint;
      return intMember(typeof int === 'number' && !Number.isSafeInteger(int) ? BigInt(int) : int);
    }
    case 'float':
      return { field: FLOAT_VALUE, float: Number(value) };
    case 'bool':
      return { field: BOOL_VALUE, flag: value === true };
    default: {
      const text = value as string;
      return { field: STRING_VALUE, text, bytes: Buffer.byteLength(text) };
    }
  }
}

/** Bytes of a Value message holding `m` (the member is always written: it is a oneof). */
function valueSize(m: Member): number {
  switch (m.field) {
    case STRING_VALUE:
      return delimitedSize(STRING_VALUE, m.bytes);
    case INT_VALUE:
      return tagSize(INT_VALUE) + (typeof m.int === 'number' ? varintSize(m.int) : varint64Size(m.int));
    case FLOAT_VALUE:
      return tagSize(FLOAT_VALUE) + 8;
    default:
      return tagSize(m.field) + 1;
  }
}

function writeValue(writer: WireWriter, m: Member, size: number): void {
  writer.delimitedHeader(1, size);
  switch (m.field) {
    case STRING_VALUE:
      writer.delimitedHeader(STRING_VALUE, m.bytes);
      writer.utf8(m.text, m.bytes);
      return;
    case INT_VALUE:
      writer.tag(INT_VALUE, WIRE_VARINT);
      if (typeof m.int === 'number') writer.varint(m.int);
      else writer.varint64(m.int);
      return;
    case FLOAT_VALUE:
      writer.tag(FLOAT_VALUE, WIRE_FIXED64);
      writer.double(m.float);
      return;
    default:
      writer.tag(m.field, WIRE_VARINT);
      writer.varint(m.flag ? 1 : 0);
  }
}

/** SqlResponse bytes holding only `rows` (field 4): appended to a head, they make one message. */
export function rowsBytes(rows: readonly (readonly SqlValue[])[], types: readonly (SqlType | null)[]): Buffer {
  const members = rows.map((row) => row.map((value, i) => member(value, types[i] ?? null)));
  const valueSizes = members.map((row) => row.map(valueSize));
  const rowSizes = valueSizes.map((sizes) => sizes.reduce((sum, size) => sum + delimitedSize(1, size), 0));
  const writer = new WireWriter(rowSizes.reduce((sum, size) => sum + delimitedSize(4, size), 0));
  members.forEach((row, r) => {
    writer.delimitedHeader(4, rowSizes[r] ?? 0);
    row.forEach((m, v) => writeValue(writer, m, valueSizes[r]?.[v] ?? 0));
  });
  return writer.finish();
}

/** The SqlResponse bytes of a result without its rows: success, then columns or the message. */
export function headBytes(result: StatementResult): Buffer {
  if (result.kind === 'rows') {
    const lengths = result.columns.map((column) => Buffer.byteLength(column));
    const writer = new WireWriter(tagSize(1) + 1 + lengths.reduce((sum, n) => sum + delimitedSize(3, n), 0));
    writer.boolField(1, true);
    result.columns.forEach((column, i) => {
      writer.delimitedHeader(3, lengths[i] ?? 0);
      writer.utf8(column, lengths[i] ?? 0);
    });
    return writer.finish();
  }
  const messageBytes = Buffer.byteLength(result.message);
  const writer = new WireWriter(tagSize(1) + 1 + optionalDelimitedSize(5, messageBytes) + uintFieldSize(6, result.rowsAffected));
  writer.boolField(1, true);
  writer.stringField(5, result.message, messageBytes);
  writer.uintField(6, result.rowsAffected);
  return writer.finish();
}

function readValue(reader: WireReader): { value: SqlValue; type: SqlType | null } {
  let decoded: { value: SqlValue; type: SqlType | null } = { value: null, type: null };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    // A oneof seen twice keeps the last member, as protobuf decoders do.
    if (field === STRING_VALUE && wireType === WIRE_LENGTH_DELIMITED) decoded = { value: reader.string(), type: 'STRING' };
    else if (field === INT_VALUE && wireType === WIRE_VARINT) decoded = { value: canonicalInt(reader.int64()), type: 'INT' };
    else if (field === FLOAT_VALUE && wireType === WIRE_FIXED64) decoded = { value: reader.double(), type: 'FLOAT' };
    else if (field === BOOL_VALUE && wireType === WIRE_VARINT) decoded = { value: reader.varint64() !== 0n, type: 'BOOLEAN' };
    else if (field === NULL_VALUE && wireType === WIRE_VARINT) {
      reader.varint64();
      decoded = { value: null, type: null };
    } else reader.skip(wireType);
  }
  return decoded;
}

interface ResponseFields {
  success: boolean;
  error: string;
  columns: string[];
  rows: SqlValue[][];
  /** Per position, the type of the first non-NULL value seen there. */
  firstTypes: (SqlType | null)[];
  message: string;
  rowsAffected: number;
  errorCode: string;
  leaderAddress: string;
}

function readRow(reader: WireReader, fields: ResponseFields): void {
  const row: SqlValue[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field !== 1 || wireType !== WIRE_LENGTH_DELIMITED) {
      reader.skip(wireType);
      continue;
    }
    const { value, type } = readValue(reader.message('Value'));
    if ((fields.firstTypes[row.length] ?? null) === null) fields.firstTypes[row.length] = type;
    row.push(value);
  }
  fields.rows.push(row);
}

function readResponse(bytes: Buffer): ResponseFields {
  const reader = new WireReader(bytes, 'SqlResponse');
  const fields: ResponseFields = {
    success: false, error: '', columns: [], rows: [], firstTypes: [], message: '', rowsAffected: 0,
    errorCode: '', leaderAddress: '',
  };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    const delimited = wireType === WIRE_LENGTH_DELIMITED;
    if (field === 1 && wireType === WIRE_VARINT) fields.success = reader.varint64() !== 0n;
    else if (field === 2 && delimited) fields.error = reader.string();
    else if (field === 3 && delimited) fields.columns.push(reader.string());
    else if (field === 4 && delimited) readRow(reader.message('Row'), fields);
    else if (field === 5 && delimited) fields.message = reader.string();
    else if (field === 6 && wireType === WIRE_VARINT) fields.rowsAffected = reader.varint();
    else if (field === 7 && delimited) fields.errorCode = reader.string();
    else if (field === 8 && delimited) fields.leaderAddress = reader.string();
    else reader.skip(wireType);
  }
  return fields;
}

/** The StatementResult in SqlResponse bytes, or throws the error they report (as sqlResponseToResult). */
export function decodeSqlResponse(bytes: Buffer): StatementResult {
  const fields = readResponse(bytes);
  if (!fields.success) throw sqlFailure(fields.errorCode, fields.error, fields.leaderAddress);
  if (fields.columns.length === 0) return { kind: 'message', message: fields.message, rowsAffected: fields.rowsAffected };
  const columnTypes = fields.columns.map((_, i) => fields.firstTypes[i] ?? null);
  return { kind: 'rows', columns: fields.columns, columnTypes, rows: fields.rows };
}
