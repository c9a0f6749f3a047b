import type { Catalog, ColumnSchema, SqlType, TableDefinition, TableSchema } from '../storage/index.js';
import { quoteIdentifier } from '../lib/index.js';
import { SERIES_COLUMN, TIME_COLUMN } from './point.js';
import type { FieldValue, Point } from './point.js';
import type { LineRejection } from './line-body.js';

/**
 * Most tags and fields one measurement table holds (beside series and ts). Each column added
 * costs the catalog a copy, so 100,000 fields in one point grew a node past its heap.
 */
export const MEASUREMENT_COLUMNS_MAX = 1_000;

/**
 * Most measurements one request may create. A first flush of Telegraf's Prometheus input brings
 * hundreds (one per metric family); a transaction adds tables to its own catalog copy in place.
 */
export const NEW_MEASUREMENTS_MAX = 1_000;

/**
 * Most columns one request may add, over new tables and new tags and fields of existing ones:
 * what bounds the catalog's growth per request (1,000 new tables of 1,000 fields would be 1M).
 */
export const NEW_COLUMNS_MAX = 100_000;

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

/**
 * Why a field value cannot go into a column of `columnType`, or null. INT into FLOAT is fine
 * while the double holds it exactly: 9007199254740993i would be stored as ...992 without a word.
 */
export function fieldConflict(columnType: SqlType, value: FieldValue): string | null {
  if (value.type === columnType) return null;
  if (value.type === 'INT' && columnType === 'FLOAT') {
    return typeof value.value === 'number' || BigInt(Number(value.value)) === value.value ? null
      : `is INT ${value.value} here, which the FLOAT column cannot hold exactly`;
  }
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
 * The points of a request that their tables can take, checked before they are journaled, and
 * a rejection for each other one: a table that is not a measurement table, a tag into a
 * non-STRING column, or a field whose type differs from its column (or from the same field in
 * an earlier point of the request that was kept). `pending` adds the columns of points
 * journaled but not yet applied (pending-columns.ts). `lineNumbers[i]` is point i's line.
 */
export function storablePoints(points: readonly Point[], lineNumbers: readonly number[], catalog: Catalog,
  pending: ReadonlyMap<string, ReadonlyMap<string, SqlType>> = new Map()):
  { readonly kept: Point[]; readonly rejected: LineRejection[] } {
  const tables = new Map<string, Map<string, SqlType> | string>();
  const kept: Point[] = [];
  const rejected: LineRejection[] = [];
  let created = 0;
  let addedColumns = 0;
  points.forEach((point, i) => {
    let columns = tables.get(point.measurement);
    if (columns === undefined) {
      const schema = catalog.table(point.measurement);
      const isNew = schema === undefined && !pending.has(point.measurement);
      const problem = schema === undefined ? null : measurementTableProblem(schema);
      columns = isNew && created === NEW_MEASUREMENTS_MAX
        ? `more than ${NEW_MEASUREMENTS_MAX} new measurements in one request: send the others in another`
        : problem ?? new Map([...(pending.get(point.measurement) ?? []),
          ...(schema?.columns ?? []).map((c): [string, SqlType] => [c.name, c.type])]);
      if (isNew && typeof columns !== 'string') created += 1;
      tables.set(point.measurement, columns);
    }
    const problem = typeof columns === 'string' ? columns
      : pointConflict(point, columns) ?? tooWide(point, columns) ?? tooManyAdded(point, columns, addedColumns);
    if (problem !== null || typeof columns === 'string') {
      rejected.push({ line: lineNumbers[i] ?? 0, message: `line ${lineNumbers[i] ?? '?'}: ${problem ?? ''}` });
      return;
    }
    for (const [key, type] of pointColumns(point)) {
      if (columns.has(key)) continue;
      columns.set(key, type);
      addedColumns += 1;
    }
    kept.push(point);
  });
  return { kept, rejected };
}

/** Why `point` would make its table wider than MEASUREMENT_COLUMNS_MAX, or null. */
function tooWide(point: Point, columns: ReadonlyMap<string, SqlType>): string | null {
  const added = pointColumns(point).filter(([name]) => !columns.has(name)).length;
  const width = [...columns.keys()].filter((name) => name !== SERIES_COLUMN && name !== TIME_COLUMN).length + added;
  return width <= MEASUREMENT_COLUMNS_MAX ? null
    : `measurement ${point.measurement} would have ${width} tags and fields (at most ${MEASUREMENT_COLUMNS_MAX})`;
}

/** Why `point` would take the request past NEW_COLUMNS_MAX added columns, or null. */
function tooManyAdded(point: Point, columns: ReadonlyMap<string, SqlType>, addedBefore: number): string | null {
  const added = pointColumns(point).filter(([name]) => !columns.has(name)).length;
  return addedBefore + added <= NEW_COLUMNS_MAX ? null
    : `more than ${NEW_COLUMNS_MAX} new tags and fields in one request: send the others in another`;
}

/** Why `point` does not fit `columns` (name → type), or null. */
function pointConflict(point: Point, columns: ReadonlyMap<string, SqlType>): string | null {
  for (const [key] of point.tags) {
    const type = columns.get(key);
    if (type !== undefined && type !== 'STRING') return `tag ${key} of ${point.measurement} goes into a ${type} column`;
  }
  for (const [key, value] of point.fields) {
    const type = columns.get(key);
    const conflict = type === undefined ? null : fieldConflict(type, value);
    if (conflict !== null) return `field ${key} of ${point.measurement} ${conflict}`;
  }
  return null;
}

/** The CREATE TABLE IF NOT EXISTS statement that makes `schema` (a measurement table). */
export function createTableSql(schema: TableSchema): string {
  const columns = schema.columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  const key = schema.primaryKey.map((p) => quoteIdentifier(schema.columns[p]?.name ?? ''));
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema.name)} (${columns.join(', ')}, PRIMARY KEY (${key.join(', ')}))`;
}
