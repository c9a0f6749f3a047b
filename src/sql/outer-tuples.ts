import { appendAll, ChronosError, isChronosError } from '../lib/index.js';
import type { Catalog, SqlType, SqlValue } from '../storage/index.js';
import type { Expr, SelectStatement, Statement, TableRef } from './ast.js';
import { tablesOfSelect } from './ast.js';
import { columnNamesOf } from './derived-names.js';
import { eachChild } from './expr-depth.js';
import { valuesKey } from './values-key.js';

type ColumnRef = Extract<Expr, { kind: 'column' }>;

/** Distinct outer values a correlated subquery is answered for; past this the statement is refused. */
export const CORRELATED_TUPLES_MAX = 10_000;

/** Refuses answering a subquery for `count` outer values, past CORRELATED_TUPLES_MAX. */
export function checkTupleCount(count: number): void {
  if (count <= CORRELATED_TUPLES_MAX) return;
  throw new ChronosError('LIMIT_EXCEEDED', `a correlated subquery would run for ${count} ` +
    `distinct outer values (at most ${CORRELATED_TUPLES_MAX}); join the tables instead`);
}

/** Rows and the type of each of their columns, as a query answers them. */
export interface TupleRows {
  readonly rows: readonly (readonly SqlValue[])[];
  readonly columnTypes: readonly (SqlType | null)[];
}

/** Runs a query and answers its rows. */
export type RowsRunner = (query: SelectStatement) => Promise<TupleRows>;

/**
 * The values of `refs` a correlated subquery of `outer` must be answered for. Usually the
 * distinct values over the rows `outer`'s FROM ranges over. When a JOIN ... ON of `outer` holds a
 * subquery, that FROM cannot be queried (answering the ON's subquery would need these very
 * values), so each table gives its own distinct values, and a row of NULLs for an outer join's
 * missing side, and the tuples are every combination of those: more than needed, never fewer.
 */
export async function outerTuples(outer: Statement, refs: readonly ColumnRef[], catalog: Catalog,
  run: RowsRunner): Promise<TupleRows> {
  if (outer.kind !== 'select' || !outer.joins.some((join) => join.on !== null && holdsSubquery(join.on))) {
    const narrowed = outerTuplesQuery(outer, refs, true);
    if (narrowed.where === null) return run(narrowed);
    try {
      return await run(narrowed);
    } catch (error) {
      // The WHERE failed on a row the statement itself may never reach (it stops at its LIMIT)
      // or names what only the statement knows: take the values of every row, as without it.
      if (isChronosError(error, 'TIMEOUT') || isChronosError(error, 'CANCELLED') || isChronosError(error, 'LIMIT_EXCEEDED')) throw error;
      return run(outerTuplesQuery(outer, refs, false));
    }
  }
  const tables = tablesOfSelect(outer);
  const groups = groupByTable(refs, tables, catalog);
  let tuples: { values: SqlValue[]; types: (SqlType | null)[] }[] = [{ values: [], types: [] }];
  const positions: number[] = [];
  for (const group of groups) {
    const values = await groupValues(group, refs, tables, run);
    checkTupleCount(tuples.length * values.rows.length);
    tuples = tuples.flatMap((tuple) => values.rows.map((row) => ({
      values: [...tuple.values, ...row],
      types: [...tuple.types, ...values.columnTypes],
    })));
    appendAll(positions, group.refs);
  }
  // Back in the order of `refs`.
  const order = refs.map((_, i) => positions.indexOf(i));
  const first = tuples[0];
  return {
    rows: tuples.map((tuple) => order.map((at) => tuple.values[at] ?? null)),
    columnTypes: order.map((at) => first?.types[at] ?? null),
  };
}

/**
 * The rows the outer statement ranges over, as a query for the distinct values of `refs`: the
 * rows its WHERE keeps, when that WHERE holds no subquery (one inside it may be the very
 * subquery these values are for). Only those rows ever read an answer, and a selective WHERE
 * over a large table then makes few values (`WHERE id = 5` over 12,000 rows had passed the
 * 10,000 below).
 */
function outerTuplesQuery(outer: Statement, refs: readonly ColumnRef[], narrowed: boolean): SelectStatement {
  const base = outer.kind === 'select' ? { from: outer.from, joins: outer.joins }
    : { from: { table: outer.kind === 'update' || outer.kind === 'delete' ? outer.table : '', alias: null }, joins: [] };
  const where = narrowed && (outer.kind === 'select' || outer.kind === 'update' || outer.kind === 'delete') ? outer.where : null;
  return selectDistinct(refs, base.from, base.joins, where !== null && !holdsSubquery(where) ? where : null);
}

function selectDistinct(refs: readonly ColumnRef[], from: TableRef | null,
  joins: SelectStatement['joins'], where: Expr | null = null): SelectStatement {
  return {
    kind: 'select', distinct: true, items: refs.map((expr, i) => ({ kind: 'expr', expr, name: `k${i}` })), from, joins,
    where, groupBy: [], having: null, orderBy: [], limit: null, offset: null,
  };
}

function holdsSubquery(e: Expr): boolean {
  if (e.kind === 'subquery') return true;
  let found = false;
  eachChild(e, (child) => { found ||= holdsSubquery(child); });
  return found;
}

/** Refs (by their position in `refs`) whose values come from the same tables. */
interface RefGroup {
  readonly refs: number[];
  /** The tables (positions in FROM) any of these refs may be read from: one, or every table of a merged USING column. */
  readonly owners: readonly number[];
}

/**
 * A ref read from one table joins that table's group; an unqualified one that several tables
 * have (a USING or NATURAL column) is a group of its own, its values those of every such table.
 */
function groupByTable(refs: readonly ColumnRef[], tables: readonly TableRef[], catalog: Catalog): RefGroup[] {
  const columns = tables.map((table) => columnNamesOf(table, catalog));
  const groups: RefGroup[] = [];
  refs.forEach((ref, i) => {
    const owners = tables.flatMap((table, at) => {
      if (ref.table !== null) return (table.alias ?? table.table) === ref.table ? [at] : [];
      return columns[at]?.has(ref.name) !== false ? [at] : [];
    });
    if (owners.length === 0) throw new ChronosError('UNKNOWN_COLUMN', `Unknown column ${ref.name} (in a subquery)`);
    const mine = owners.length === 1 ? groups.find((g) => g.owners.length === 1 && g.owners[0] === owners[0]) : undefined;
    if (mine !== undefined) mine.refs.push(i);
    else groups.push({ refs: [i], owners });
  });
  return groups;
}

/** The distinct values a group's refs take in its tables, and all NULLs (an outer join's missing row). */
async function groupValues(group: RefGroup, refs: readonly ColumnRef[], tables: readonly TableRef[],
  run: RowsRunner): Promise<TupleRows> {
  const rows = new Map<string, readonly SqlValue[]>();
  let columnTypes: (SqlType | null)[] = [];
  for (const owner of group.owners) {
    const table = tables[owner] as TableRef;
    if (table.lateral === true) {
      throw new ChronosError('UNSUPPORTED', `a correlated subquery in JOIN ... ON beside LATERAL ${table.table}`);
    }
    const qualifier = table.alias ?? table.table;
    const columns = group.refs.map((i): ColumnRef => ({ kind: 'column', table: qualifier, name: (refs[i] as ColumnRef).name }));
    const answer = await run(selectDistinct(columns, table, []));
    for (const row of answer.rows) rows.set(valuesKey(row), row);
    columnTypes = answer.columnTypes.map((type, i) => columnTypes[i] ?? type);
  }
  const nulls = group.refs.map(() => null);
  rows.set(valuesKey(nulls), nulls);
  return { rows: [...rows.values()], columnTypes };
}

/**
 * `rows` with each FLOAT zero given both signs. SQL DISTINCT takes -0.0 and 0.0 as one value,
 * but a subquery may tell them apart (`atan2(t.f, -1)` is -pi or pi): answered once for the
 * first sign seen, the other sign's rows took its answer. Each sign is answered apart, and
 * matched by `sameZeroSign`.
 */
export function withBothZeroSigns(rows: readonly (readonly SqlValue[])[], types: readonly (SqlType | null)[]): (readonly SqlValue[])[] {
  const out: (readonly SqlValue[])[] = [];
  for (const row of rows) {
    let variants: (readonly SqlValue[])[] = [row];
    row.forEach((value, i) => {
      if (types[i] !== 'FLOAT' || value !== 0) return;
      variants = variants.flatMap((variant) => [0, -0].map((zero) => variant.map((v, at) => (at === i ? zero : v))));
    });
    appendAll(out, variants);
  }
  return out;
}

/** True where `a` and `b` (FLOAT) have the same sign of zero, or are not zero: with `a = b`, an exact match. */
export function sameZeroSign(a: Expr, b: Expr): Expr {
  const minusOne: Expr = { kind: 'literal', value: -1, type: 'FLOAT' };
  const sign = (e: Expr): Expr => ({ kind: 'call', name: 'atan2', args: [e, minusOne] });
  return { kind: 'isDistinct', left: sign(a), right: sign(b), negated: true };
}
