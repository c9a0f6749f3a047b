import { assert, ChronosError } from '../lib/index.js';
import type { CatalogState } from './catalog.js';
import type { RowKey } from './engine.js';
import { readKeyTuple } from './key-codec.js';
import type { ColumnSchema, IndexSchema, TableDefinition, TableSchema } from './schema.js';
import { keyColumns } from './table-reader.js';
import { ROW_CODEC_VERSION, layoutForNewTable } from './table-layout.js';
import type { NewTableLayoutPolicy } from './table-layout.js';
import { describeKey } from './validate.js';

/** DUPLICATE_KEY naming the table and the key values. */
export function duplicateKey(schema: TableSchema, rowKey: RowKey): ChronosError {
  const [values] = readKeyTuple(rowKey, 0, schema.primaryKey.length);
  const rendered = describeKey(values);
  return new ChronosError(
    'DUPLICATE_KEY',
    `duplicate primary key ${rendered} in table ${schema.name}`,
    {
      details: { table: schema.name, key: rendered },
    },
  );
}

/** Position of a column by name, or UNKNOWN_COLUMN. */
export function columnPosition(schema: TableSchema, column: string): number {
  const position = schema.columns.findIndex((candidate) => candidate.name === column);
  if (position < 0) {
    throw new ChronosError(
      'UNKNOWN_COLUMN',
      `column ${column} does not exist in table ${schema.name}`,
      {
        details: { table: schema.name, column },
      },
    );
  }
  return position;
}

/** Validate a CREATE TABLE definition into the schema the catalog stores. */
export function buildTableSchema(
  definition: TableDefinition,
  state: CatalogState,
  policy: NewTableLayoutPolicy,
): TableSchema {
  const name = definition.name;
  if (definition.columns.length === 0) {
    throw new ChronosError('INVALID_ARGUMENT', `table ${name} needs at least one column`, {
      details: { table: name },
    });
  }
  const seen = new Set<string>();
  for (const column of definition.columns) {
    if (seen.has(column.name)) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `column ${column.name} appears twice in table ${name}`,
        {
          details: { table: name, column: column.name },
        },
      );
    }
    seen.add(column.name);
  }
  const ttlMs = definition.ttlMs;
  if (ttlMs !== null && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `TTL of table ${name} must be a positive integer of ms`,
      {
        details: { table: name },
      },
    );
  }
  const draft: TableSchema = {
    name,
    id: state.nextTableId,
    columns: definition.columns,
    primaryKey: [],
    ttlMs,
    indexes: [],
    layout: layoutForNewTable(definition, policy),
    rowCodecVersion: ROW_CODEC_VERSION,
  };
  const primaryKey = definition.primaryKey.map((column) => columnPosition(draft, column));
  if (new Set(primaryKey).size !== primaryKey.length) {
    throw new ChronosError('INVALID_ARGUMENT', `PRIMARY KEY of table ${name} repeats a column`, {
      details: { table: name },
    });
  }
  const columns: ColumnSchema[] = definition.columns.map((column, i) =>
    primaryKey.includes(i) ? { ...column, notNull: true } : { ...column },
  );
  assert(keyColumns({ ...draft, primaryKey }).length > 0, 'every table has a row key');
  return { ...draft, columns, primaryKey };
}

/**
 * The schema of a new index `name` of `schema` over `columns`, taking id `id`; INDEX_EXISTS
 * when the name is taken (`taken`), INVALID_ARGUMENT without columns, UNKNOWN_COLUMN as needed.
 */
export function newIndexSchema(schema: TableSchema, name: string, columns: readonly string[], id: number, taken: boolean): IndexSchema {
  if (taken) {
    throw new ChronosError('INDEX_EXISTS', `index ${name} already exists`, { details: { index: name, table: schema.name } });
  }
  if (columns.length === 0) throw new ChronosError('INVALID_ARGUMENT', `index ${name} needs at least one column`);
  return { name, id, columns: columns.map((column) => columnPosition(schema, column)) };
}
