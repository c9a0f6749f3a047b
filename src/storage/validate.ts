import { assertNever, ChronosError } from '../lib/index.js';
import { fitsInt64 } from './key-codec.js';
import type { ColumnSchema, TableSchema } from './schema.js';
import { canonicalInt } from './values.js';
import type { Row, SqlType, SqlValue } from './values.js';

function describe(value: SqlValue): string {
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

function mismatch(table: string, column: string, type: SqlType, value: SqlValue): ChronosError {
  return new ChronosError(
    'TYPE_MISMATCH',
    `value ${describe(value)} does not fit column ${table}.${column} of type ${type}`,
    { details: { table, column, type } },
  );
}

/**
 * The canonical form of `value` for a column of `type`, or undefined when it does not fit:
 * INT takes integral numbers and bigints within int64 (canonicalInt form), FLOAT takes any
 * number (a bigint becomes a number).
 */
export function coerceValue(value: SqlValue, type: SqlType): SqlValue | undefined {
  if (value === null) return null;
  switch (type) {
    case 'INT':
      if (typeof value === 'number') {
        if (!Number.isInteger(value)) return undefined;
        if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
        const big = BigInt(value);
        return fitsInt64(big) ? canonicalInt(big) : undefined;
      }
      if (typeof value === 'bigint') return fitsInt64(value) ? canonicalInt(value) : undefined;
      return undefined;
    case 'FLOAT':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      return undefined;
    case 'STRING':
      return typeof value === 'string' ? value : undefined;
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : undefined;
    default:
      return assertNever(type, 'column type');
  }
}

/** One column's value checked against type and NOT NULL. */
export function normalizeColumnValue(
  table: string,
  column: ColumnSchema,
  value: SqlValue,
): SqlValue {
  if (value === null) {
    if (column.notNull) {
      throw new ChronosError('NOT_NULL_VIOLATION', `column ${table}.${column.name} is NOT NULL`, {
        details: { table, column: column.name },
      });
    }
    return null;
  }
  const coerced = coerceValue(value, column.type);
  if (coerced === undefined) throw mismatch(table, column.name, column.type, value);
  return coerced;
}

/** A full row checked against the table's columns, in canonical form. */
export function normalizeRow(schema: TableSchema, values: Row): SqlValue[] {
  if (values.length !== schema.columns.length) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `table ${schema.name} has ${schema.columns.length} columns, got ${values.length} values`,
      { details: { table: schema.name } },
    );
  }
  const out: SqlValue[] = new Array<SqlValue>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = normalizeColumnValue(
      schema.name,
      schema.columns[i] as ColumnSchema,
      values[i] as SqlValue,
    );
  }
  return out;
}

/** Values used to look a key up (get, range bounds): must fit the key columns' types. */
export function normalizeKeyValues(
  table: string,
  columns: readonly ColumnSchema[],
  values: readonly SqlValue[],
): SqlValue[] {
  if (values.length > columns.length) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `key of table ${table} has ${columns.length} columns, got ${values.length} values`,
      { details: { table } },
    );
  }
  return values.map((value, i) => {
    const column = columns[i] as ColumnSchema;
    const coerced = coerceValue(value, column.type);
    if (coerced === undefined) throw mismatch(table, column.name, column.type, value);
    return coerced;
  });
}

/** A readable rendering of key values for error messages, e.g. `(1, 'a')`. */
export function describeKey(values: readonly SqlValue[]): string {
  return `(${values.map(describe).join(', ')})`;
}
