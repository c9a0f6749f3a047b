import type { Catalog, StorageReader, SqlType, SqlValue } from '../storage/index.js';
import type { Expr, SelectStatement, Statement, TableRef } from './ast.js';
import { tablesOfSelect } from './ast.js';

export { tablesOfSelect };
import { columnNamesOf } from './derived-names.js';
import { eachChild, rootsOf } from './expr-depth.js';
import { mapOperands, mapStatementExprs } from './expr-map.js';
import { checkTupleCount, CORRELATED_TUPLES_MAX, outerTuples, sameZeroSign, withBothZeroSigns } from './outer-tuples.js';

export { checkTupleCount, CORRELATED_TUPLES_MAX };

type Subquery = Extract<Expr, { kind: 'subquery' }>;
type ColumnRef = Extract<Expr, { kind: 'column' }>;
type Literal = Extract<Expr, { kind: 'literal' }>;


/** The tables one query level sees: qualifier, table name, columns (null: a derived table's, not known here). */
export interface Level {
  readonly tables: ReadonlyArray<{ readonly qualifier: string; readonly name: string; readonly columns: ReadonlySet<string> | null }>;
}

export function levelOf(refs: readonly TableRef[], catalog: Catalog): Level {
  return {
    tables: refs.map((ref) => ({
      qualifier: ref.alias ?? ref.table,
      name: ref.table,
      columns: columnNamesOf(ref, catalog),
    })),
  };
}

/** The FROM level of the statement a subquery sits in (an UPDATE or DELETE sees its table). */
export function outerLevel(s: Statement, catalog: Catalog): Level {
  switch (s.kind) {
    case 'select':
      return levelOf(tablesOfSelect(s), catalog);
    case 'update':
    case 'delete':
      return levelOf([{ table: s.table, alias: null }], catalog);
    default:
      return { tables: [] };
  }
}

/** Whether `level` answers to `qualifier`: its alias, else its name (an aliased table's name belongs to outer levels). */
function declares(level: Level, qualifier: string): boolean {
  return level.tables.some((t) => t.qualifier === qualifier);
}

function hasColumn(level: Level, name: string): boolean | null {
  if (level.tables.some((t) => t.columns?.has(name) === true)) return true;
  return level.tables.some((t) => t.columns === null) ? null : false;
}

/** Whether `ref`, unresolved by every level inside, names a column of the outer level. */
export function isOuter(ref: ColumnRef, inner: readonly Level[], outer: Level): boolean {
  if (ref.table !== null) return !inner.some((l) => declares(l, ref.table as string)) && declares(outer, ref.table);
  if (inner.some((l) => hasColumn(l, ref.name) !== false)) return false;
  return hasColumn(outer, ref.name) !== false;
}

/** Calls `visit` on each column reference of `query` and of the subqueries inside it, with the levels that enclose it. */
function eachColumnRef(query: SelectStatement, catalog: Catalog, enclosing: readonly Level[],
  visit: (ref: ColumnRef, inner: readonly Level[]) => void): void {
  const levels = [levelOf(tablesOfSelect(query), catalog), ...enclosing];
  const walk = (e: Expr): void => {
    if (e.kind === 'column') visit(e, levels);
    if (e.kind === 'subquery') eachColumnRef(e.query, catalog, levels, visit);
    eachChild(e, walk);
  };
  for (const root of rootsOf(query)) if (root !== null) walk(root);
}

/** The key `bindOuter` takes a reference's value by. */
export function refKey(ref: ColumnRef): string {
  return `${ref.table ?? ''}.${ref.name}`;
}

/** The references of `sub` to columns of the statement it sits in, each once; empty if uncorrelated. */
export function outerReferences(sub: Subquery, outer: Statement, catalog: Catalog): ColumnRef[] {
  const level = outerLevel(outer, catalog);
  if (level.tables.length === 0) return [];
  const found = new Map<string, ColumnRef>();
  eachColumnRef(sub.query, catalog, [], (ref, inner) => {
    if (isOuter(ref, inner, level)) found.set(refKey(ref), ref);
  });
  return [...found.values()];
}

/** The references of a LATERAL subquery to the tables before it (`level`), each once. */
export function lateralReferences(query: SelectStatement, level: Level, catalog: Catalog): ColumnRef[] {
  const found = new Map<string, ColumnRef>();
  eachColumnRef(query, catalog, [], (ref, inner) => {
    if (isOuter(ref, inner, level)) found.set(refKey(ref), ref);
  });
  return [...found.values()];
}

/**
 * For EXPLAIN: the references of `query` (nested subqueries included) to the queries it sits
 * in, `enclosing` innermost first, each once; empty if it reads only its own tables.
 */
export function enclosingReferences(query: SelectStatement, enclosing: readonly Level[], catalog: Catalog): ColumnRef[] {
  const found = new Map<string, ColumnRef>();
  eachColumnRef(query, catalog, [], (ref, inner) => {
    if (enclosing.some((level) => isOuter(ref, inner, level))) found.set(refKey(ref), ref);
  });
  return [...found.values()];
}

/** `query` with each outer reference replaced by its value (also inside nested subqueries). */
export function bindOuter(query: SelectStatement, values: ReadonlyMap<string, Expr>, catalog: Catalog, outer: Level,
  enclosing: readonly Level[] = []): SelectStatement {
  const levels = [levelOf(tablesOfSelect(query), catalog), ...enclosing];
  const bind = (e: Expr): Expr => {
    if (e.kind === 'column') return isOuter(e, levels, outer) ? values.get(refKey(e)) ?? e : e;
    const mapped = mapOperands(e, bind);
    return mapped.kind === 'subquery'
      ? { ...mapped, query: bindOuter(mapped.query, values, catalog, outer, levels) } : mapped;
  };
  return mapStatementExprs(query, bind) as SelectStatement;
}

/** The values of `row` from column `from` on, as typed literals. */
export function tupleLiterals(
  row: readonly SqlValue[], types: readonly (SqlType | null)[], from: number,
): Literal[] {
  return row.slice(from).map((value, i) =>
    ({ kind: 'literal', value, type: types[from + i] ?? null }));
}

/** `k1 = v1 AND k2 = v2 ...` (IS NULL for a NULL value): true on the outer rows of one tuple. */
export function matchesTuple(keys: readonly Expr[], literals: readonly Literal[]): Expr {
  return keys.map((key, i): Expr => {
    const literal = literals[i] as Literal;
    return literal.value === null ? { kind: 'isNull', operand: key, negated: false }
      : { kind: 'binary', op: '=', left: key, right: literal };
  }).reduce((a, b) => ({ kind: 'binary', op: 'AND', left: a, right: b }));
}

/** matchesTuple, with a FLOAT zero matched only by a zero of its own sign (see withBothZeroSigns). */
function matchesTupleExactly(keys: readonly Expr[], literals: readonly Literal[]): Expr {
  return literals.reduce((match, literal, i): Expr => (literal.type === 'FLOAT' && literal.value === 0
    ? { kind: 'binary', op: 'AND', left: match, right: sameZeroSign(keys[i] as Expr, literal) } : match),
  matchesTuple(keys, literals));
}

/** What answers a subquery once its outer references are bound, and how to run a query. */
export interface CorrelatedRunner {
  /**
   * The answer of `sub` (its outer references bound); `shape`, the subquery with them bound to
   * NULL, tells an error of the subquery itself from one of the values bound.
   */
  answer(sub: Subquery, shape?: Subquery): Promise<Expr>;
  rows(query: SelectStatement): Promise<{ readonly rows: readonly (readonly SqlValue[])[]; readonly columnTypes: readonly (SqlType | null)[] }>;
}

/**
 * A correlated subquery as an expression of the outer row: the subquery is answered once per
 * distinct value of the outer columns it names (over every row the outer FROM ranges over),
 * and the outer expression picks the answer by those columns: CASE WHEN k = v ... THEN answer.
 * Null when `sub` names no outer column.
 */
export async function resolveCorrelated(sub: Subquery, outer: Statement, reader: StorageReader,
  run: CorrelatedRunner): Promise<Expr | null> {
  const refs = outerReferences(sub, outer, reader.catalog);
  if (refs.length === 0) return null;
  const tuples = await outerTuples(outer, refs, reader.catalog, (query) => run.rows(query));
  const rows = withBothZeroSigns(tuples.rows, tuples.columnTypes);
  checkTupleCount(rows.length);
  const level = outerLevel(outer, reader.catalog);
  const whens: { when: Expr; then: Expr }[] = [];
  const nullBound: Subquery = { ...sub, query: bindOuter(sub.query, new Map(refs.map((ref) =>
    [refKey(ref), { kind: 'literal', value: null, type: null }])), reader.catalog, level) };
  for (const tuple of rows) {
    const literals = tupleLiterals(tuple, tuples.columnTypes, 0);
    const values = new Map(refs.map((ref, i) => [refKey(ref), literals[i] as Expr]));
    const then = await run.answer({ ...sub, query: bindOuter(sub.query, values, reader.catalog, level) }, nullBound);
    whens.push({ when: matchesTupleExactly(refs, literals), then });
  }
  // No outer rows: nothing will read the answer, but it must still compile.
  if (whens.length === 0) return run.answer(nullBound);
  return { kind: 'case', operand: null, whens, otherwise: null };
}
