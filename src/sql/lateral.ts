import { ChronosError } from '../lib/index.js';
import type { Catalog, ColumnSchema, Row, SqlType, StorageReader } from '../storage/index.js';
import type { Expr, Join, SelectStatement, TableRef } from './ast.js';
import {
  bindOuter, checkTupleCount, lateralReferences, levelOf, refKey, tupleLiterals,
} from './correlated.js';
import { unsupported } from './cursor.js';
import { sameZeroSign, withBothZeroSigns } from './outer-tuples.js';
import { columnNamesOf } from './derived-names.js';
import { derivedColumn, renamedColumns } from './derived-reader.js';
import type { RowsResult, StatementResult } from './result.js';
import type { StatementGuard } from './statement-guard.js';

// `FROM devices d CROSS JOIN LATERAL (SELECT ts, v FROM readings r WHERE r.device = d.id ORDER
// BY ts DESC LIMIT 3) AS last`: the subquery reads columns of the tables before it. It is
// answered once per distinct value of the columns it names (as a correlated subquery is), its
// rows held with those values in hidden columns, and joined on them.

type ColumnRef = Extract<Expr, { kind: 'column' }>;

/** Runs a query (its subqueries resolved) over `reader`. */
export type LateralRunner = (query: SelectStatement, reader: StorageReader) => Promise<StatementResult>;

/** Holds rows as a table under `alias` and gives back the reference that names it. */
export type Holder = (alias: string, kind: string, columns: ColumnSchema[], rows: readonly Row[]) => Promise<TableRef>;

function rowsOf(answer: StatementResult): RowsResult {
  if (answer.kind !== 'rows') throw new ChronosError('INVALID_ARGUMENT', 'a LATERAL subquery must be a SELECT');
  return answer;
}

/**
 * An outer column as the tables before the LATERAL give it, qualified so the join's ON cannot
 * take a column of the subquery's for it: one table's copy, or the value USING or NATURAL
 * merged from several (a coalesce after FULL, the joined copy after RIGHT); as written when
 * it is ambiguous (the tuples' query then reports it).
 */
function outerValue(ref: ColumnRef, from: TableRef, before: readonly Join[], catalog: Catalog): Expr {
  if (ref.table !== null) return ref;
  const copyIn = (table: TableRef): Expr | null => (columnNamesOf(table, catalog)?.has(ref.name) === true
    ? { kind: 'column', table: table.alias ?? table.table, name: ref.name } : null);
  let value = copyIn(from);
  for (const join of before) {
    const copy = copyIn(join.table);
    if (copy === null) continue;
    if (value === null) value = copy;
    else if (join.using?.includes(ref.name) !== true && join.natural !== true) return ref;
    else if (join.outer === 'full') value = { kind: 'call', name: 'coalesce', args: [value, copy] };
    else if (join.outer === 'right') value = copy;
  }
  return value ?? ref;
}

/** The hidden columns the outer values are held in, typed as the tables before gave them. */
function keyColumns(types: readonly (SqlType | null)[], taken: readonly string[]): ColumnSchema[] {
  return types.map((type, i) => {
    let name = `lateral key ${i + 1}`;
    while (taken.includes(name)) name += "'";
    return { name, type: type ?? 'STRING', notNull: false, hidden: true, ...(type === null ? { untyped: true } : {}) };
  });
}

/**
 * A LATERAL join of `from` and the `before` joins (materialized) as a join of a held table: the
 * subquery's rows for each distinct outer value, joined where those values are not distinct.
 * Null when the subquery names no column before it (an ordinary derived table then).
 */
export async function lateralJoin(join: Join, from: TableRef, before: readonly Join[], reader: StorageReader,
  guard: StatementGuard, run: LateralRunner, hold: Holder): Promise<Join | null> {
  const query = join.table.query;
  const name = join.table.table;
  if (query === undefined) return null;
  if (query.kind !== 'select') throw unsupported(`LATERAL of a set operation (${name})`);
  const level = levelOf([from, ...before.map((j) => j.table)], reader.catalog);
  // As written inside (what bindOuter replaces), and qualified for the query and ON outside.
  const written = lateralReferences(query, level, reader.catalog);
  const refs = written.map((ref) => outerValue(ref, from, before, reader.catalog));
  if (refs.length === 0) return null;
  if (join.outer === 'right' || join.outer === 'full') {
    throw unsupported(`${join.outer.toUpperCase()} JOIN LATERAL (its subquery reads the rows before it: use JOIN or LEFT JOIN)`);
  }
  if (join.using !== null) throw unsupported('JOIN LATERAL ... USING (write ON)');
  const tuples = rowsOf(await run({
    kind: 'select', distinct: true, items: refs.map((expr, i) => ({ kind: 'expr', expr, name: `k${i}` })), from, joins: before,
    where: null, groupBy: [], having: null, orderBy: [], limit: null, offset: null,
  }, reader));
  const tupleRows = withBothZeroSigns(tuples.rows, tuples.columnTypes);
  checkTupleCount(tupleRows.length);
  const answerFor = (values: readonly Expr[]): Promise<StatementResult> =>
    run(bindOuter(query, new Map(written.map((ref, i) => [refKey(ref), values[i] as Expr])), reader.catalog, level), reader);
  const rows: Row[] = [];
  let columnNames: readonly string[] | null = null;
  let types: (SqlType | null)[] = [];
  const take = (answer: RowsResult): void => {
    columnNames ??= answer.columns;
    types = answer.columnTypes.map((type, i) => types[i] ?? type);
  };
  for (const tuple of tupleRows) {
    const answer = rowsOf(await answerFor(tupleLiterals(tuple, tuples.columnTypes, 0)));
    take(answer);
    for (const row of answer.rows) rows.push(row.concat(tuple));
    guard.holding(rows.length, `the LATERAL subquery ${name}`);
    if (guard.step(answer.rows.length + 1)) await guard.pause();
  }
  // No rows before it: nothing joins, but the columns must still be known.
  if (columnNames === null) take(rowsOf(await answerFor(refs.map(() => ({ kind: 'literal', value: null, type: null })))));
  const names = columnNames ?? [];
  const typed = { columns: names, columnTypes: types, rows };
  const columns = renamedColumns(names.map((_, i) => derivedColumn(typed, i)), join.table.columnNames, `the subquery ${name}`);
  const keys = keyColumns(tuples.columnTypes, columns.map((c) => c.name));
  const held = await hold(name, 'lateral', [...columns, ...keys], rows);
  let on: Expr | null = join.on;
  refs.forEach((ref, i) => {
    const key: Expr = { kind: 'column', table: name, name: (keys[i] as ColumnSchema).name };
    const equal: Expr = { kind: 'isDistinct', left: ref, right: key, negated: true };
    const same: Expr = tuples.columnTypes[i] === 'FLOAT'
      ? { kind: 'binary', op: 'AND', left: equal, right: sameZeroSign(ref, key) } : equal;
    on = on === null ? same : { kind: 'binary', op: 'AND', left: on, right: same };
  });
  return { ...join, table: held, using: null, on };
}
