import { assert, quoteIdentifier } from '../lib/index.js';
import { canonicalInt } from '../storage/index.js';
import type { SqlType, SqlValue, TableSchema, WriteTransaction } from '../storage/index.js';
import { advanceCursor } from './apply.js';
import {
  createTableSql, fieldConflict, MEASUREMENT_COLUMNS_MAX, measurementDefinition, measurementTableProblem, pointColumns,
} from './measurement-table.js';
import { SERIES_COLUMN, seriesKey, TIME_COLUMN } from './point.js';
import type { FieldValue, Point } from './point.js';
import type { PointBatch } from './point-batch.js';

/** What applying a point batch did. */
export interface PointsApplied {
  /** Points whose (series, time) was new: a row inserted. */
  readonly stored: number;
  /** Points whose (series, time) was there: their fields written over it (InfluxDB's merge). */
  readonly merged: number;
  /** Points that could not be stored (their table or column changed shape since they were accepted). */
  readonly skipped: number;
  /** The batch was applied before (a resend after a lost answer): nothing written. */
  readonly replayed: number;
  /** Why points were skipped, one line per table or column. */
  readonly problems: readonly string[];
}

/** The write journal cursor of `source`: the last of its records whose points are stored. */
export function pointCursorName(source: string): string {
  return `write-cursor:${source}`;
}

/** Told the SQL of each table or column a batch creates (an edge ships it to its sync target). */
export interface SchemaChangeSink {
  ddl(sql: string): void;
}

const IGNORE_SCHEMA_CHANGES: SchemaChangeSink = { ddl: () => undefined };

interface Tally {
  stored: number;
  merged: number;
  skipped: number;
  readonly problems: Set<string>;
}

/**
 * Stores a batch's points: a measurement's table is created on its first point, a new tag or
 * field adds a column, and a point whose (series, time) exists merges into that row. The
 * journal cursor advances in the same transaction, so a resent batch writes nothing.
 * Deterministic: every replica makes the same tables, columns and rows.
 */
export async function applyPointBatch(txn: WriteTransaction, batch: PointBatch,
  schemaChanges: SchemaChangeSink = IGNORE_SCHEMA_CHANGES): Promise<PointsApplied> {
  if (await advanceCursor(txn, pointCursorName(batch.source), batch) === 'replayed') {
    return { stored: 0, merged: 0, skipped: 0, replayed: batch.points.length, problems: [] };
  }
  const tally: Tally = { stored: 0, merged: 0, skipped: 0, problems: new Set() };
  for (const [measurement, points] of byMeasurement(batch.points)) {
    const schema = await measurementTable(txn, measurement, points, schemaChanges);
    const problem = measurementTableProblem(schema);
    if (problem !== null) {
      tally.skipped += points.length;
      tally.problems.add(problem);
      continue;
    }
    for (const point of points) await storePoint(txn, schema, point, batch.nowMs, tally);
  }
  return { stored: tally.stored, merged: tally.merged, skipped: tally.skipped, replayed: 0, problems: [...tally.problems] };
}

function byMeasurement(points: readonly Point[]): Map<string, Point[]> {
  const groups = new Map<string, Point[]>();
  for (const point of points) {
    const group = groups.get(point.measurement);
    if (group === undefined) groups.set(point.measurement, [point]);
    else group.push(point);
  }
  return groups;
}

/** The measurement's table, created or widened so every column its points name exists. */
async function measurementTable(txn: WriteTransaction, measurement: string, points: readonly Point[],
  schemaChanges: SchemaChangeSink): Promise<TableSchema> {
  const wanted = new Map<string, SqlType>();
  for (const point of points) {
    for (const [column, type] of pointColumns(point)) if (!wanted.has(column)) wanted.set(column, type);
  }
  let schema = txn.catalog.table(measurement);
  // Told as CREATE TABLE IF NOT EXISTS of the key columns and one ADD COLUMN IF NOT EXISTS per
  // column: a sync target that several edges feed the same measurement ends with every column.
  // A new table is made with its columns at once: one catalog change, not one per column.
  const tell = (column: string, type: SqlType): void =>
    schemaChanges.ddl(`ALTER TABLE ${quoteIdentifier(measurement)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column)} ${type}`);
  if (schema === undefined) {
    const columns = new Map([...wanted].slice(0, MEASUREMENT_COLUMNS_MAX));
    schema = txn.createTable(measurementDefinition(measurement, columns));
    schemaChanges.ddl(createTableSql(keyColumnsOnly(schema)));
    for (const [column, type] of columns) tell(column, type);
    return schema;
  }
  if (measurementTableProblem(schema) !== null) return schema;
  for (const [column, type] of wanted) {
    if (schema.columns.some((c) => c.name === column)) continue;
    // Past the widest a table may be, the points naming the column are skipped (storePoint).
    if (schema.columns.length - 2 >= MEASUREMENT_COLUMNS_MAX) break;
    schema = await txn.addColumn(measurement, { name: column, type, notNull: false });
    tell(column, type);
  }
  return schema;
}

/** `schema` with its key columns alone: what CREATE TABLE IF NOT EXISTS tells a sync target. */
function keyColumnsOnly(schema: TableSchema): TableSchema {
  return { ...schema, columns: schema.columns.slice(0, 2) };
}

async function storePoint(txn: WriteTransaction, schema: TableSchema, point: Point, nowMs: number, tally: Tally): Promise<void> {
  const positions = new Map(schema.columns.map((column, i) => [column.name, i]));
  const assignments: [number, SqlValue][] = [];
  const missing = pointColumns(point).find(([name]) => !positions.has(name));
  if (missing !== undefined) {
    tally.skipped += 1;
    tally.problems.add(`${schema.name} has ${MEASUREMENT_COLUMNS_MAX} tags and fields, the most a table may have: no column for ${missing[0]}`);
    return;
  }
  for (const [key, value] of point.tags) {
    const position = positions.get(key) ?? -1;
    // Accepted against a table without this column, a tag may meet a field's column made
    // meanwhile (by another request, on this node or another): skipped, never a fatal apply.
    const type = schema.columns[position]?.type ?? 'STRING';
    if (type !== 'STRING') {
      tally.skipped += 1;
      tally.problems.add(`tag ${key} of ${schema.name} goes into a ${type} column`);
      return;
    }
    assignments.push([position, value]);
  }
  for (const [key, field] of point.fields) {
    const position = positions.get(key) ?? -1;
    const conflict = fieldConflict(schema.columns[position]?.type ?? field.type, field);
    if (conflict !== null) {
      tally.skipped += 1;
      tally.problems.add(`field ${key} of ${schema.name} ${conflict}`);
      return;
    }
    assignments.push([position, columnValue(field, schema.columns[position]?.type)]);
  }
  const key: SqlValue[] = [seriesKey(point.tags), canonicalInt(point.timeNs)];
  const existing = await txn.get(schema.name, key);
  const row: SqlValue[] = existing === undefined ? Array<SqlValue>(schema.columns.length).fill(null) : [...existing.values];
  assignments.push([positions.get(SERIES_COLUMN) ?? -1, key[0] ?? null], [positions.get(TIME_COLUMN) ?? -1, key[1] ?? null]);
  for (const [position, value] of assignments) {
    assert(position >= 0, `point column missing from ${schema.name} after it was widened`);
    row[position] = value;
  }
  if (existing === undefined) {
    await txn.insert(schema.name, row, nowMs);
    tally.stored += 1;
  } else {
    await txn.update(schema.name, existing.key, row);
    tally.merged += 1;
  }
}

function columnValue(field: FieldValue, columnType: SqlType | undefined): SqlValue {
  return field.type === 'INT' && columnType === 'FLOAT' ? Number(field.value) : field.value;
}
