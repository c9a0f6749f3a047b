import { ChronosError } from '../lib/index.js';
import type { Catalog, ColumnSchema, SqlType, TableDefinition, TableSchema } from '../storage/index.js';
import { SERIES_COLUMN, TIME_COLUMN } from './point.js';
import type { FieldValue, Point } from './point.js';

/**
 * Why `schema` cannot store points (what the user must change), or null: a measurement table
 * has PRIMARY KEY (series STRING, ts INT) and no other NOT NULL column (a point may omit any
 * tag or field).
 */
export function measurementTableProblem(schema: TableSchema): string | null {
  const key = schema.primaryKey.map((position) => schema.columns[position]);
  const [series, ts] = key;
  if (key.length !== 2 || series?.name !== SERIES_COLUMN || series.type !== 'STRING' ||
    ts?.name !== TIME_COLUMN || ts.type !== 'INT') {
    return `table ${schema.name} exists but is not a measurement table: line protocol needs ` +
      `PRIMARY KEY (${SERIES_COLUMN} STRING, ${TIME_COLUMN} INT); write to another measurement or drop the table`;
  }
  const required = schema.columns.find((c) => c.notNull && c.name !== SERIES_COLUMN && c.name !== TIME_COLUMN);
  return required === undefined ? null
    : `table ${schema.name} has a NOT NULL column ${required.name} that points may leave empty`;
}

/** Why a field value cannot go into a column of `columnType`, or null (INT into FLOAT is fine). */
export function fieldConflict(columnType: SqlType, value: FieldValue): string | null {
  if (value.type === columnType || (value.type === 'INT' && columnType === 'FLOAT')) return null;
  return `is ${value.type} here but the column is ${columnType}`;
}

/** The CREATE TABLE of a new measurement: series, ts, then its tags and fields in first-seen order. */
export function measurementDefinition(name: string, columns: ReadonlyMap<string, SqlType>): TableDefinition {
  const rest: ColumnSchema[] = [...columns].map(([column, type]) => ({ name: column, type, notNull: false }));
  return {
    name,
    columns: [
      { name: SERIES_COLUMN, type: 'STRING', notNull: true }, { name: TIME_COLUMN, type: 'INT', notNull: true }, ...rest,
    ],
    primaryKey: [SERIES_COLUMN, TIME_COLUMN],
    ttlMs: null,
  };
}

/** The columns (name → type) a point needs: tags are STRING, fields their value's type. */
export function pointColumns(point: Point): [string, SqlType][] {
  return [
    ...point.tags.map(([key]): [string, SqlType] => [key, 'STRING']),
    ...point.fields.map(([key, value]): [string, SqlType] => [key, value.type]),
  ];
}

/**
 * Checks a request's points against the tables they go to, before they are journaled: a table
 * that is not a measurement table, a tag into a non-STRING column, or a field whose type differs
 * from its column (or from the same field earlier in the request) refuses the request with
 * INVALID_ARGUMENT naming the line, table and column. `lineNumbers[i]` is point i's line.
 */
export function checkPoints(points: readonly Point[], lineNumbers: readonly number[], catalog: Catalog): void {
  const tables = new Map<string, Map<string, SqlType>>();
  points.forEach((point, i) => {
    const refuse = (problem: string): never => {
      throw new ChronosError('INVALID_ARGUMENT', `line ${lineNumbers[i] ?? '?'}: ${problem}`,
        { details: { line: lineNumbers[i] ?? 0, table: point.measurement } });
    };
    let columns = tables.get(point.measurement);
    if (columns === undefined) {
      const schema = catalog.table(point.measurement);
      const problem = schema === undefined ? null : measurementTableProblem(schema);
      if (problem !== null) refuse(problem);
      columns = new Map((schema?.columns ?? []).map((c) => [c.name, c.type]));
      tables.set(point.measurement, columns);
    }
    for (const [key] of point.tags) {
      const type = columns.get(key);
      if (type !== undefined && type !== 'STRING') refuse(`tag ${key} of ${point.measurement} goes into a ${type} column`);
      columns.set(key, 'STRING');
    }
    for (const [key, value] of point.fields) {
      const type = columns.get(key);
      const conflict = type === undefined ? null : fieldConflict(type, value);
      if (conflict !== null) refuse(`field ${key} of ${point.measurement} ${conflict}`);
      if (type === undefined) columns.set(key, value.type);
    }
  });
}

/** `name` as a SQL identifier: double-quoted, `"` doubled. */
export function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The CREATE TABLE IF NOT EXISTS statement that makes `schema` (a measurement table). */
export function createTableSql(schema: TableSchema): string {
  const columns = schema.columns.map((c) => `${quoteName(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  const key = schema.primaryKey.map((p) => quoteName(schema.columns[p]?.name ?? ''));
  return `CREATE TABLE IF NOT EXISTS ${quoteName(schema.name)} (${columns.join(', ')}, PRIMARY KEY (${key.join(', ')}))`;
}
