import { assertNever, ChronosError } from '../lib/index.js';
import type { WriteTransaction, TableSchema } from '../storage/index.js';
import type { AlterTableAction } from './ast.js';
import type { MessageResult } from './result.js';

function message(text: string): MessageResult {
  return { kind: 'message', message: text, rowsAffected: 0 };
}

function hasColumn(schema: TableSchema, name: string): boolean {
  return schema.columns.some((column) => column.name === name);
}

function unknownColumn(schema: TableSchema, name: string): ChronosError {
  return new ChronosError('UNKNOWN_COLUMN', `Unknown column ${name} in table ${schema.name}`, {
    details: { table: schema.name, column: name },
  });
}

function columnExists(schema: TableSchema, name: string): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', `Column ${name} already exists in table ${schema.name}`, {
    details: { table: schema.name, column: name },
  });
}

/** `Column c dropped from t`, naming the indexes that went with it. */
function droppedMessage(column: string, table: string, indexes: readonly string[]): string {
  if (indexes.length === 0) return `Column ${column} dropped from ${table}`;
  const which = indexes.length === 1 ? 'index' : 'indexes';
  return `Column ${column} dropped from ${table} (${which} ${indexes.join(', ')} dropped with it)`;
}

/** Execute one ALTER TABLE action on `schema`'s table inside `txn`. */
export async function executeAlterTable(
  schema: TableSchema,
  action: AlterTableAction,
  txn: WriteTransaction,
): Promise<MessageResult> {
  const table = schema.name;
  switch (action.kind) {
    case 'addColumn': {
      const { name, type, notNull } = action.column;
      if (hasColumn(schema, name)) {
        if (action.ifNotExists) return message(`Column ${name} already exists in ${table}`);
        throw columnExists(schema, name);
      }
      await txn.addColumn(table, { name, type, notNull });
      return message(`Column ${name} added to ${table}`);
    }
    case 'dropColumn': {
      if (!hasColumn(schema, action.column)) {
        if (action.ifExists) return message(`Column ${action.column} does not exist in ${table}`);
        throw unknownColumn(schema, action.column);
      }
      const indexes = await txn.dropColumn(table, action.column);
      return message(droppedMessage(action.column, table, indexes));
    }
    case 'renameTable': {
      if (action.to !== table && txn.catalog.table(action.to) !== undefined) {
        throw new ChronosError('TABLE_EXISTS', `Table ${action.to} already exists`, {
          details: { table: action.to },
        });
      }
      txn.renameTable(table, action.to);
      return message(`Table ${table} renamed to ${action.to}`);
    }
    case 'renameColumn': {
      if (!hasColumn(schema, action.from)) throw unknownColumn(schema, action.from);
      if (action.from !== action.to && hasColumn(schema, action.to)) {
        throw columnExists(schema, action.to);
      }
      txn.renameColumn(table, action.from, action.to);
      return message(`Column ${action.from} of ${table} renamed to ${action.to}`);
    }
    default:
      return assertNever(action, 'ALTER TABLE action');
  }
}
