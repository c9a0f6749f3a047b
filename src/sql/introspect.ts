import { ChronosError } from '../lib/index.js';
import type { Catalog, TableSchema, Row } from '../storage/index.js';
import type { RowsResult } from './result.js';

const TTL_UNITS: readonly (readonly [number, string])[] = [
  [86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1_000, 's'],
];

/** A TTL as CREATE TABLE writes it: the largest unit that divides it (`7d`, `90m`). */
function ttlText(ms: number): string {
  for (const [unit, suffix] of TTL_UNITS) if (ms % unit === 0) return `${ms / unit}${suffix}`;
  return `${ms}ms`;
}

function keyText(schema: TableSchema): string | null {
  if (schema.primaryKey.length === 0) return null;
  return schema.primaryKey.map((p) => schema.columns[p]?.name ?? '?').join(', ');
}

/** `SHOW TABLES`: one row per table, by name. */
export function showTables(catalog: Catalog): RowsResult {
  const rows: Row[] = catalog.tables().map((t) => [
    t.name, t.columns.length, keyText(t), t.ttlMs === null ? null : ttlText(t.ttlMs), t.layout,
  ]);
  return {
    kind: 'rows',
    columns: ['table', 'columns', 'primary_key', 'ttl', 'layout'],
    columnTypes: ['STRING', 'INT', 'STRING', 'STRING', 'STRING'],
    rows,
  };
}

/** `DESCRIBE t`: one row per column, in table order. */
export function describeTable(catalog: Catalog, name: string): RowsResult {
  const schema = catalog.table(name);
  if (schema === undefined) {
    throw new ChronosError('UNKNOWN_TABLE', `Unknown table ${name}`, { details: { table: name } });
  }
  const rows: Row[] = schema.columns.map((column, i) => {
    const keyPosition = schema.primaryKey.indexOf(i);
    const indexes = schema.indexes.filter((index) => index.columns.includes(i)).map((index) => (index.buildFrom === undefined ? index.name : `${index.name} (building)`));
    return [
      column.name, column.type, column.notNull,
      keyPosition < 0 ? null : keyPosition + 1,
      indexes.length === 0 ? null : indexes.join(', '),
    ];
  });
  return {
    kind: 'rows',
    columns: ['column', 'type', 'not_null', 'primary_key', 'indexes'],
    columnTypes: ['STRING', 'STRING', 'BOOLEAN', 'INT', 'STRING'],
    rows,
  };
}
