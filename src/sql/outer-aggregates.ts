import { ChronosError } from '../lib/index.js';
import type { Catalog, SqlValue } from '../storage/index.js';
import { isPosition } from './ast.js';
import type { Expr, SelectItem, SelectStatement, Statement } from './ast.js';
import {
  checkTupleCount, isOuter, levelOf, matchesTuple, outerLevel, tablesOfSelect, tupleLiterals,
  type CorrelatedRunner, type Level,
} from './correlated.js';
import { eachChild, rootsOf } from './expr-depth.js';
import { mapOperands, mapStatementExprs } from './expr-map.js';
import { printExpr, printValue } from './print.js';

// SQL gives an aggregate to the query level of the columns it aggregates: in
// `SELECT (SELECT max(t.id) FROM u) FROM t` max(t.id) is computed over t's rows, once per group
// of the outer query (which becomes an aggregate query), not per row of u. Binding t.id into the
// subquery row by row, as a correlated subquery is answered, would compute max over u's rows.

type Subquery = Extract<Expr, { kind: 'subquery' }>;
type Aggregate = Extract<Expr, { kind: 'aggregate' }>;
type ColumnRef = Extract<Expr, { kind: 'column' }>;

/** The column references of `e`, not those of subqueries inside it (they have their own levels). */
function columnsOf(e: Expr, into: ColumnRef[] = []): ColumnRef[] {
  if (e.kind === 'column') into.push(e);
  else if (e.kind !== 'subquery') eachChild(e, (child) => columnsOf(child, into));
  return into;
}

/** Whether the aggregate names columns, all of them of `outer` (none of a level in between). */
function belongsOutside(a: Aggregate, inner: readonly Level[], outer: Level): boolean {
  const refs = [a.arg, a.second, a.filter, ...a.orderBy.map((o) => o.expr)].flatMap((arg) => (arg === null ? [] : columnsOf(arg)));
  return refs.length > 0 && refs.every((ref) => isOuter(ref, inner, outer));
}

/** Adds the aggregates of `query` and of the subqueries inside it that belong to `outer`. */
function collectOuterAggregates(
  query: SelectStatement, catalog: Catalog, enclosing: readonly Level[], outer: Level,
  into: Aggregate[],
): void {
  const levels = [levelOf(tablesOfSelect(query), catalog), ...enclosing];
  const walk = (e: Expr): void => {
    if (e.kind === 'aggregate' && belongsOutside(e, levels, outer)) {
      into.push(e);
      return;
    }
    if (e.kind === 'subquery') collectOuterAggregates(e.query, catalog, levels, outer, into);
    eachChild(e, walk);
  };
  for (const root of rootsOf(query)) if (root !== null) walk(root);
}

/** The aggregates inside `sub`, at any depth, that belong to the statement `sub` sits in. */
function outerAggregatesOf(sub: Subquery, outer: Level, catalog: Catalog): Aggregate[] {
  const found: Aggregate[] = [];
  if (outer.tables.length > 0) collectOuterAggregates(sub.query, catalog, [], outer, found);
  return found;
}

/** The first aggregate of `outer` held by a subquery in `e` (not by its IN operand), if any. */
function firstOuterAggregate(e: Expr, outer: Level, catalog: Catalog): Aggregate | undefined {
  let found: Aggregate | undefined;
  const visit = (x: Expr): void => {
    if (found !== undefined) return;
    if (x.kind === 'subquery') found = outerAggregatesOf(x, outer, catalog)[0];
    eachChild(x, visit);
  };
  visit(e);
  return found;
}

/** The select item a GROUP BY position names (no `*` shifting the positions), else `g` itself. */
function positionTarget(s: SelectStatement, g: Expr): Expr {
  const plain = s.items.every((i) => i.kind === 'expr');
  const item = isPosition(g) && plain ? s.items[g.value - 1] : undefined;
  return item?.kind === 'expr' ? item.expr : g;
}

type Clause = readonly [Expr | null, string];

/** The clauses of `s` where an aggregate of `s` may not stand, each with its name for the error. */
function clausesWithoutAggregates(s: Statement): Clause[] {
  switch (s.kind) {
    case 'select':
      return [
        [s.where, 'in WHERE'], ...s.joins.map((j): Clause => [j.on, 'in JOIN']),
        ...s.groupBy.map((g): Clause => [positionTarget(s, g), 'in GROUP BY']),
        [s.limit, 'in LIMIT'], [s.offset, 'in OFFSET'],
      ];
    case 'update':
      return [...s.assignments.map((a): Clause => [a.value, 'in UPDATE']), [s.where, 'in WHERE']];
    case 'delete': return [[s.where, 'in WHERE']];
    default: return [];
  }
}

/**
 * Refuses a subquery aggregate of `s`'s own columns where `s` may not aggregate (WHERE, JOIN,
 * GROUP BY, LIMIT, UPDATE, DELETE), as PostgreSQL does: `WHERE a < (SELECT max(t.id) FROM u)`.
 */
export function refuseMisplacedOuterAggregates(s: Statement, catalog: Catalog): void {
  const outer = outerLevel(s, catalog);
  if (outer.tables.length === 0) return;
  for (const [root, clause] of clausesWithoutAggregates(s)) {
    const aggregate = root === null ? undefined : firstOuterAggregate(root, outer, catalog);
    if (aggregate === undefined) continue;
    throw new ChronosError('INVALID_ARGUMENT', `Aggregate ${printExpr(aggregate)} is not allowed ` +
      `${clause} (in a subquery it names only columns of the outer query, so it aggregates ` +
      "the outer query's rows)");
  }
}

const NULL_LITERAL: Expr = { kind: 'literal', value: null, type: null };

/**
 * `outer` grouped as written, answering the aggregates as its last columns: their values, once
 * per group. HAVING and LIMIT only drop groups and ORDER BY orders them, so they are left out
 * (a superset of values is harmless). Select items holding such subqueries become NULL:
 * computing them is what this query is for, while GROUP BY positions and aliases still find
 * the other items.
 */
function aggregateValuesQuery(
  outer: SelectStatement, aggregates: readonly Aggregate[], level: Level, catalog: Catalog,
): SelectStatement {
  const holds = (item: SelectItem): boolean =>
    item.kind === 'expr' && firstOuterAggregate(item.expr, level, catalog) !== undefined;
  const items = outer.items.map((item) => (holds(item) ? { ...item, expr: NULL_LITERAL } : item));
  const values = aggregates.map((expr, i): SelectItem =>
    ({ kind: 'expr', expr, name: `outer_aggregate_${i}` }));
  return {
    ...outer, distinct: false, items: [...items, ...values],
    having: null, orderBy: [], limit: null, offset: null,
  };
}

/** `query` with each node of `values` (by identity) replaced, in nested subqueries too. */
function replaceNodes(query: SelectStatement, values: ReadonlyMap<Expr, Expr>): SelectStatement {
  const swap = (e: Expr): Expr => {
    const value = values.get(e);
    if (value !== undefined) return value;
    const mapped = mapOperands(e, swap);
    if (mapped.kind !== 'subquery') return mapped;
    return { ...mapped, query: replaceNodes(mapped.query, values) };
  };
  return mapStatementExprs(query, swap) as SelectStatement;
}

/** What answers a subquery once its outer aggregates are values (correlated or not). */
export interface OuterAggregateRunner extends Pick<CorrelatedRunner, 'rows'> {
  resolve(sub: Subquery): Promise<Expr>;
}

/**
 * A subquery holding aggregates of `outer`, as an expression of those aggregates, which `outer`
 * then computes itself: CASE WHEN max(t.id) = 4 THEN <answer with 4 in its place> ... END, one
 * arm per distinct set of values over the groups. Null when `sub` holds none.
 */
export async function resolveOuterAggregates(
  sub: Subquery, outer: SelectStatement, catalog: Catalog, run: OuterAggregateRunner,
): Promise<Expr | null> {
  const level = outerLevel(outer, catalog);
  const aggregates = outerAggregatesOf(sub, level, catalog);
  if (aggregates.length === 0) return null;
  const result = await run.rows(aggregateValuesQuery(outer, aggregates, level, catalog));
  const from = result.columnTypes.length - aggregates.length;
  // One arm per distinct set of values: groups that agree share it.
  const key = (row: readonly SqlValue[]): string => row.slice(from).map(printValue).join(',');
  const tuples = new Map(result.rows.map((row) => [key(row), row]));
  checkTupleCount(tuples.size);
  const answerFor = (literals: readonly Expr[]): Promise<Expr> => {
    const values = new Map(aggregates.map((a, i): [Expr, Expr] =>
      [a, literals[i] ?? NULL_LITERAL]));
    return run.resolve({ ...sub, query: replaceNodes(sub.query, values) });
  };
  // No groups: nothing will read the answer, but it must still compile.
  if (tuples.size === 0) return answerFor([]);
  const whens: { when: Expr; then: Expr }[] = [];
  for (const row of tuples.values()) {
    const literals = tupleLiterals(row, result.columnTypes, from);
    whens.push({ when: matchesTuple(aggregates, literals), then: await answerFor(literals) });
  }
  return { kind: 'case', operand: null, whens, otherwise: null };
}

/**
 * For EXPLAIN: the aggregates of `outer` that `sub` holds, and `sub`'s query with each shown
 * by its text as a plain value, so the subquery's plan does not read as aggregating them.
 */
export function outerAggregatesShown(
  sub: Subquery, outer: SelectStatement, catalog: Catalog, show: (e: Expr) => string,
): { readonly shown: readonly string[]; readonly query: SelectStatement } {
  const aggregates = outerAggregatesOf(sub, outerLevel(outer, catalog), catalog);
  const values = new Map(aggregates.map((a): [Expr, Expr] =>
    [a, { kind: 'column', table: null, name: show(a) }]));
  return { shown: aggregates.map(show), query: replaceNodes(sub.query, values) };
}
