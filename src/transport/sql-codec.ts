import type { StatementResult } from '../sql/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { canonicalInt } from '../storage/index.js';
import { assertNever, ChronosError, errorMessage } from '../lib/index.js';
import type { ErrorCode } from '../lib/index.js';
import {
  asObject,
  readArray,
  readBool,
  readDouble,
  readInt64Text,
  readSafeUint,
  readString,
} from './proto-read.js';

/** Every stable code, so a code read off the wire can be checked (the compiler keeps it whole). */
const ERROR_CODES: Readonly<Record<ErrorCode, true>> = {
  PARSE_ERROR: true,
  UNSUPPORTED: true,
  UNKNOWN_TABLE: true,
  UNKNOWN_COLUMN: true,
  UNKNOWN_INDEX: true,
  TABLE_EXISTS: true,
  INDEX_EXISTS: true,
  TYPE_MISMATCH: true,
  DUPLICATE_KEY: true,
  NOT_NULL_VIOLATION: true,
  AMBIGUOUS_COLUMN: true,
  INVALID_ARGUMENT: true,
  TRANSACTION_STATE: true,
  NOT_LEADER: true,
  NO_QUORUM: true,
  TIMEOUT: true,
  UNAVAILABLE: true,
  UNAUTHENTICATED: true,
  PERMISSION_DENIED: true,
  CORRUPTION: true,
  IO_ERROR: true,
  CONFIG_ERROR: true,
  LIMIT_EXCEEDED: true,
  CLUSTER_MISMATCH: true,
  SCHEMA_MISMATCH: true,
  SHUTTING_DOWN: true,
  RESOURCE_EXHAUSTED: true,
  NOT_APPLIED: true,
  OUTCOME_UNKNOWN: true,
  CANCELLED: true,
};

/** True when `text` is one of our stable error codes. */
export function isErrorCode(text: string): text is ErrorCode {
  return Object.hasOwn(ERROR_CODES, text);
}

/** The Value member a SQL value travels in. */
export type ValueMember = 'null' | 'int' | 'float' | 'string' | 'bool';

/**
 * Which member carries `value` in a column declared `type` (both encoders of answers ask
 * this): the column's type decides between INT and FLOAT, so a FLOAT column's whole number
 * is a double; an untyped column guesses from the value.
 */
export function valueMember(value: SqlValue, type: SqlType | null): ValueMember {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return type === 'FLOAT' ? 'float' : 'int';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  const isInt = type === 'INT' || (type === null && Number.isSafeInteger(value));
  return isInt && Number.isInteger(value) ? 'int' : 'float';
}

/** One SQL value as a proto Value, typed by its column's declared type. */
export function valueToProto(value: SqlValue, type: SqlType | null): Record<string, unknown> {
  switch (valueMember(value, type)) {
    case 'null':
      return { nullValue: true };
    case 'int':
      return { intValue: typeof value === 'bigint' ? value.toString() : Number(value).toFixed(0) };
    case 'float':
      return { floatValue: Number(value) };
    case 'bool':
      return { boolValue: value };
    default:
      return { stringValue: value };
  }
}

/** One result row as a Row proto object. */
export function rowToProto(row: readonly SqlValue[], types: readonly (SqlType | null)[]): Record<string, unknown> {
  return { values: row.map((value, i) => valueToProto(value, types[i] ?? null)) };
}

/** A statement's result as a successful SqlResponse proto object. */
export function resultToSqlResponse(result: StatementResult): Record<string, unknown> {
  switch (result.kind) {
    case 'rows':
      return {
        success: true,
        columns: [...result.columns],
        rows: result.rows.map((row) => rowToProto(row, result.columnTypes)),
      };
    case 'message':
      return { success: true, message: result.message, rowsAffected: result.rowsAffected };
    default:
      return assertNever(result, 'statement result');
  }
}

/** A failed statement as a SqlResponse proto object (`success=false`, the error's message). */
export function errorToSqlResponse(error: unknown): Record<string, unknown> {
  if (error instanceof ChronosError) {
    const leader = error.details['leader'];
    return {
      success: false,
      error: error.message,
      errorCode: error.code,
      leaderAddress: typeof leader === 'string' ? leader : '',
    };
  }
  return { success: false, error: `Internal error: ${errorMessage(error)}` };
}

/** One decoded proto Value. */
export function valueFromProto(value: unknown): { value: SqlValue; type: SqlType | null } {
  const proto = asObject(value, 'Value');
  const member = proto['value'];
  switch (member) {
    case 'intValue':
      return { value: canonicalInt(BigInt(readInt64Text(proto, 'intValue'))), type: 'INT' };
    case 'floatValue':
      return { value: readDouble(proto, 'floatValue'), type: 'FLOAT' };
    case 'stringValue':
      return { value: readString(proto, 'stringValue'), type: 'STRING' };
    case 'boolValue':
      return { value: readBool(proto, 'boolValue'), type: 'BOOLEAN' };
    case 'nullValue':
    case undefined:
    case null:
      return { value: null, type: null };
    default:
      throw new ChronosError('CORRUPTION', `gRPC Value: unknown member ${String(member)}`);
  }
}

/** A decoded SqlResponse: the StatementResult it carries, or throws the error it reports. */
export function sqlResponseToResult(value: unknown): StatementResult {
  const proto = asObject(value, 'SqlResponse');
  if (!readBool(proto, 'success')) throw sqlResponseError(proto);
  const columns = readArray(proto, 'columns').map((column, i) => {
    if (typeof column !== 'string') {
      throw new ChronosError('CORRUPTION', `gRPC SqlResponse columns[${i}] is not a string`);
    }
    return column;
  });
  if (columns.length === 0) {
    return {
      kind: 'message',
      message: readString(proto, 'message'),
      rowsAffected: readSafeUint(proto, 'rowsAffected'),
    };
  }
  const columnTypes: (SqlType | null)[] = columns.map(() => null);
  const rows = readArray(proto, 'rows').map((row) =>
    readArray(asObject(row, 'Row'), 'values').map((cell, i) => {
      const decoded = valueFromProto(cell);
      if (columnTypes[i] === null && decoded.type !== null) columnTypes[i] = decoded.type;
      return decoded.value;
    }),
  );
  return { kind: 'rows', columns, columnTypes, rows };
}

function sqlResponseError(proto: Readonly<Record<string, unknown>>): ChronosError {
  return sqlFailure(readString(proto, 'errorCode'), readString(proto, 'error'), readString(proto, 'leaderAddress'));
}

/** The ChronosError a failed SqlResponse reports (its error_code, error and leader_address). */
export function sqlFailure(codeText: string, message: string, leader: string): ChronosError {
  // Servers without error_code (the original ChronosDB) report SQL errors only.
  const code: ErrorCode = isErrorCode(codeText) ? codeText : 'INVALID_ARGUMENT';
  return new ChronosError(code, message, { details: leader === '' ? {} : { leader } });
}
