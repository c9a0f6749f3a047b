import { ChronosError } from '../lib/index.js';
import type { SqlType, TableSchema } from '../storage/index.js';

/** A column as both sides describe it: its name and type. */
export interface ColumnShape {
  readonly name: string;
  readonly type: SqlType;
}

/** What differs between the target's table and the edge's, and the statements that fix it. */
export interface TableDifference {
  readonly what: string;
  readonly fix: string;
}

/**
 * The SCHEMA_MISMATCH a target refuses a batch with. It names the op, the table, what differs
 * and what to run: the edge retries the same op until the target is fixed, so the message is
 * the operator's only guide (the edge shows it in GetSyncStatus lastError and its log).
 */
export function schemaMismatch(opId: number, table: string, difference: TableDifference): ChronosError {
  return new ChronosError('SCHEMA_MISMATCH',
    `schema mismatch at op ${opId}: table ${table}: ${difference.what}; fix it on the target: ${difference.fix}`,
    { details: { op: opId, table } });
}

const describe = (columns: readonly ColumnShape[]): string =>
  columns.map((column) => `${column.name} ${column.type}`).join(', ');

/**
 * How the target's table differs from the one an edge's CREATE TABLE makes, by column name
 * and type (ops name their columns, so order does not matter); null when they agree.
 */
export function tableDifference(target: TableSchema, edge: readonly ColumnShape[]): TableDifference | null {
  const onTarget = new Map(target.columns.map((column) => [column.name, column.type]));
  const onEdge = new Map(edge.map((column) => [column.name.toLowerCase(), column.type]));
  const what: string[] = [];
  const fix: string[] = [];
  for (const [name, type] of onEdge) {
    const theirs = onTarget.get(name);
    if (theirs === undefined) {
      what.push(`column ${name} ${type} is on the edge but not on the target`);
      fix.push(`ALTER TABLE ${target.name} ADD COLUMN ${name} ${type}`);
    } else if (theirs !== type) {
      what.push(`column ${name} is ${type} on the edge but ${theirs} on the target`);
      fix.push(`ALTER TABLE ${target.name} DROP COLUMN ${name}`, `ALTER TABLE ${target.name} ADD COLUMN ${name} ${type}`);
    }
  }
  for (const [name, type] of onTarget) {
    if (onEdge.has(name)) continue;
    what.push(`column ${name} ${type} is on the target but not on the edge`);
    fix.push(`ALTER TABLE ${target.name} DROP COLUMN ${name}`);
  }
  if (what.length === 0) return null;
  return {
    what: `${what.join(', ')} (target: ${describe(target.columns)}; edge: ${describe(edge)})`,
    fix: `${fix.join('; ')}${fix.some((f) => f.includes('DROP')) ? ' (a dropped column loses its values there)' : ''}` +
      `, or, if the target's rows of ` +
      `${target.name} are not needed, DROP TABLE ${target.name} and the edge's CREATE TABLE makes it again`,
  };
}

/** An op for a table the target lacks. */
export function missingTable(opId: number, table: string, columns: readonly string[]): ChronosError {
  return schemaMismatch(opId, table, {
    what: 'it does not exist on the target',
    fix: `CREATE TABLE ${table} with the edge's columns (${columns.join(', ')}; DESCRIBE ${table} on the edge gives their types)`,
  });
}

/** An op naming a column the target's table lacks. */
export function missingColumn(opId: number, table: string, column: string): ChronosError {
  return schemaMismatch(opId, table, {
    what: `column ${column} is on the edge but not on the target`,
    fix: `ALTER TABLE ${table} ADD COLUMN ${column} TYPE, with the TYPE DESCRIBE ${table} shows on the edge`,
  });
}
