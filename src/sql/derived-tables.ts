import type { ColumnSchema, Row, StorageReader } from '../storage/index.js';
import { assert } from '../lib/index.js';
import type { CompoundStatement, Join, SelectStatement, TableRef } from './ast.js';
import { DerivedReader, derivedColumn, heldTable, renamedColumns, type HeldTable } from './derived-reader.js';
import { lateralJoin } from './lateral.js';
import { recursiveRows } from './recursive-query.js';
import type { RowsResult, StatementResult } from './result.js';
import { seriesRows } from './series.js';
import type { StatementGuard } from './statement-guard.js';

/** Runs a query of a derived table (subqueries in it resolved) over `reader`. */
export type QueryRunner = (query: SelectStatement | CompoundStatement, reader: StorageReader) => Promise<StatementResult>;

/** True when FROM or a JOIN of `s` is a subquery, generate_series or a WITH query. */
export function hasDerivedTables(s: SelectStatement): boolean {
  const derived = (ref: TableRef): boolean => ref.query !== undefined || ref.series !== undefined || ref.recursive !== undefined;
  return (s.from !== null && derived(s.from)) || s.joins.some((j) => derived(j.table));
}

/**
 * Answers each subquery, WITH query and generate_series in FROM/JOIN once (none sees the
 * outer query: no LATERAL), and gives back the statement naming them as tables and a reader
 * that serves their rows. The rows are held in memory, counted against the statement's row cap.
 */
export async function materializeDerivedTables(s: SelectStatement, reader: StorageReader, nowMs: number,
  guard: StatementGuard, run: QueryRunner): Promise<{ statement: SelectStatement; reader: StorageReader }> {
  const tables = new Map<string, HeldTable>();
  // Held under a name no table can have, so a real table of the alias's name stays visible
  // beside it (FROM generate_series(1, 3) AS t(id) JOIN t AS u ...); the alias names it.
  const hold = async (alias: string, kind: string, columns: ColumnSchema[], rows: readonly Row[]): Promise<TableRef> => {
    const name = `${alias} (${kind})`;
    tables.set(name, await heldTable(name, -(tables.size + 1), columns, rows, nowMs, guard));
    return { table: name, alias };
  };
  const materialize = async (ref: TableRef): Promise<TableRef> => {
    if (ref.series !== undefined) {
      const series = await seriesRows(ref.series, nowMs, guard);
      return hold(ref.table, 'generate_series', [series.column], series.rows);
    }
    if (ref.recursive !== undefined) {
      const made = await recursiveRows(ref.recursive, ref.columnNames, reader, nowMs, guard, run);
      return hold(ref.table, 'recursive', made.columns, made.rows);
    }
    if (ref.query === undefined) return ref;
    const answer = await run(ref.query, reader);
    assert(answer.kind === 'rows', 'a query answers rows');
    const result: RowsResult = answer;
    guard.holding(result.rows.length, `the subquery ${ref.table}`);
    const columns = result.columns.map((_, i) => derivedColumn(result, i));
    return hold(ref.table, 'subquery', renamedColumns(columns, ref.columnNames, `the subquery ${ref.table}`), result.rows);
  };
  const from = s.from === null ? null : await materialize(s.from);
  const joins: Join[] = [];
  for (const join of s.joins) {
    const lateral = join.table.lateral === true && from !== null
      ? await lateralJoin(join, from, joins, new DerivedReader(reader, tables), guard, run, hold) : null;
    joins.push(lateral ?? { ...join, table: await materialize(join.table) });
  }
  return { statement: { ...s, from, joins }, reader: new DerivedReader(reader, tables) };
}
