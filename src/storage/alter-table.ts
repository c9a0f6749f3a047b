import { ChronosError } from '../lib/index.js';
import type { ColumnSchema, IndexSchema, TableSchema } from './schema.js';
import { columnPosition } from './table-definition.js';

/** What dropping a column changes in a table's schema. */
export interface ColumnDrop {
  /** The schema without the column (primary key and index positions renumbered). */
  readonly schema: TableSchema;
  /** Position the column had: row values lose this slot. */
  readonly position: number;
  /** Indexes over the column: they are dropped with it, as PostgreSQL does. */
  readonly droppedIndexes: readonly IndexSchema[];
}

function columnExists(schema: TableSchema, name: string): ChronosError {
  return new ChronosError(
    'INVALID_ARGUMENT',
    `Column ${name} already exists in table ${schema.name}`,
    { details: { table: schema.name, column: name } },
  );
}

/** The schema with `column` appended (existing rows read NULL in it). */
export function schemaWithColumn(schema: TableSchema, column: ColumnSchema): TableSchema {
  if (schema.columns.some((existing) => existing.name === column.name)) {
    throw columnExists(schema, column.name);
  }
  return { ...schema, columns: [...schema.columns, { ...column }] };
}

/**
 * The schema without `name`. A PRIMARY KEY column can't go (it makes up the row keys) and the
 * last column can't either (a table has at least one).
 */
export function schemaWithoutColumn(schema: TableSchema, name: string): ColumnDrop {
  const position = columnPosition(schema, name);
  const details = { table: schema.name, column: name };
  if (schema.primaryKey.includes(position)) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `Column ${name} is part of the primary key of table ${schema.name} and cannot be dropped`,
      { details },
    );
  }
  if (schema.columns.length === 1) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `Column ${name} is the only column of table ${schema.name}; drop the table instead`,
      { details },
    );
  }
  const renumber = (p: number): number => (p > position ? p - 1 : p);
  const droppedIndexes = schema.indexes.filter((index) => index.columns.includes(position));
  const indexes = schema.indexes
    .filter((index) => !index.columns.includes(position))
    .map((index) => ({ ...index, columns: index.columns.map(renumber) }));
  return {
    schema: {
      ...schema,
      columns: schema.columns.filter((_, i) => i !== position),
      primaryKey: schema.primaryKey.map(renumber),
      indexes,
    },
    position,
    droppedIndexes,
  };
}

/** The schema with column `from` named `to`. */
export function schemaWithRenamedColumn(schema: TableSchema, from: string, to: string): TableSchema {
  const position = columnPosition(schema, from);
  if (from !== to && schema.columns.some((column) => column.name === to)) {
    throw columnExists(schema, to);
  }
  return {
    ...schema,
    columns: schema.columns.map((column, i) => (i === position ? { ...column, name: to } : column)),
  };
}
