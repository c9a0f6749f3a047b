import { ChronosError } from '../lib/index.js';
import type { WriteTransaction, TableSchema, SqlType, SqlValue } from '../storage/index.js';
import type { MessageResult } from './result.js';
import { coerceToColumn } from './value-ops.js';

/** The table named `name`, or UNKNOWN_TABLE. */
export function tableOf(txn: WriteTransaction, name: string): TableSchema {
  const t = txn.catalog.table(name);
  if (t === undefined) throw new ChronosError(
    'UNKNOWN_TABLE',
    `Unknown table ${name}`,
    { details: { table: name } },
  );
  return t;
}

/** A write's result: its message and the rows it affected. */
export function message(text: string, rowsAffected: number): MessageResult {
  return { kind: 'message', message: text, rowsAffected };
}

/** Position of column `name`, or UNKNOWN_COLUMN. */
export function columnIndex(schema: TableSchema, name: string): number {
  const i = schema.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new ChronosError(
    'UNKNOWN_COLUMN',
    `Unknown column ${name} in table ${schema.name}`,
    { details: { table: schema.name, column: name } },
  );
  return i;
}

/** `value` (of static type `type`) as column `column` stores it: converted, NOT NULL checked. */
export function checkedValue(
  schema: TableSchema,
  column: number,
  value: SqlValue,
  type: SqlType | null,
): SqlValue {
  const col = schema.columns[column];
  if (col === undefined) throw new ChronosError(
    'UNKNOWN_COLUMN',
    `Unknown column #${column} in table ${schema.name}`,
  );
  const where = `${schema.name}.${col.name}`;
  const v = coerceToColumn(value, type, col.type, where);
  if (v === null && col.notNull) {
    const text = `NULL value in column ${where} violates NOT NULL`;
    throw new ChronosError('NOT_NULL_VIOLATION', text, {
      details: { table: schema.name, column: col.name },
    });
  }
  return v;
}
