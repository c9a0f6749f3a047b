import type { Catalog } from '../storage/index.js';
import type { Expr, SelectStatement, TableRef } from './ast.js';
import { mapOperands } from './expr-map.js';
import { windowsOf } from './window.js';
import { hasAggregate } from './expr-walk.js';

/** What an outer column of the derived table stands for inside its query: a plain column, or nothing pushable. */
type Inner = Extract<Expr, { kind: 'column' }> | null;

/**
 * The statement with the leading conjuncts of its WHERE that name only plain columns of its FROM
 * subquery also put into that subquery's WHERE, so it holds only the rows they keep and computes
 * its select list for those alone (as PostgreSQL filters before it computes a subquery's select
 * list: `(SELECT id, 10 / n AS x FROM t) d WHERE id = 2` does not divide by another row's zero).
 * The outer WHERE still checks every conjunct. Only leading ones move: AND stops at the first
 * false, so a conjunct after one that stays could raise an error on a row the outer WHERE never
 * evaluates it for. Left as it is: a subquery with grouping, aggregates, windows, DISTINCT,
 * LIMIT or OFFSET (filtering first would change its rows), and a FROM with joins.
 */
export function withWherePushedDown(s: SelectStatement, catalog: Catalog): SelectStatement {
  const from = s.from;
  const query = from?.query;
  if (from === null || query?.kind !== 'select' || s.where === null || s.joins.length > 0 || from.lateral === true) return s;
  if (!filtersFreely(query)) return s;
  const outputs = outputColumns(query, from, catalog);
  if (outputs === null) return s;
  const name = from.alias ?? from.table;
  const pushed: Expr[] = [];
  for (const conjunct of conjunctsOf(s.where)) {
    const inner = innerExpr(conjunct, name, outputs);
    if (inner === null) break;
    pushed.push(inner);
  }
  if (pushed.length === 0) return s;
  const where = [query.where, ...pushed].reduce<Expr | null>((left, right) =>
    right === null ? left : left === null ? right : { kind: 'binary', op: 'AND', left, right }, null);
  return { ...s, from: { ...from, query: { ...query, where } } };
}

/** Whether filtering `query`'s rows before its select list leaves the rows it answers otherwise the same. */
function filtersFreely(query: SelectStatement): boolean {
  return !query.distinct && query.distinctOn === undefined && query.groupBy.length === 0 && query.having === null &&
    query.limit === null && query.offset === null && windowsOf(query).length === 0 &&
    query.items.every((item) => item.kind === 'star' || !hasAggregate(item.expr));
}

/** The derived table's column names and what each is inside the query; null when a name is unknown. */
function outputColumns(query: SelectStatement, from: TableRef, catalog: Catalog): Map<string, Inner> | null {
  const names: string[] = [];
  const inner: Inner[] = [];
  for (const item of query.items) {
    if (item.kind === 'expr') {
      names.push(item.name.toLowerCase()); // as the derived table names its columns
      inner.push(item.expr.kind === 'column' ? item.expr : null);
      continue;
    }
    // `*` or `t.*` over one stored table: its columns, by name.
    const table = query.from !== null && query.joins.length === 0 && query.from.query === undefined &&
      query.from.series === undefined && query.from.recursive === undefined ? catalog.table(query.from.table) : undefined;
    if (table === undefined) return null;
    for (const column of table.columns) {
      names.push(column.name);
      inner.push({ kind: 'column', table: item.table, name: column.name });
    }
  }
  from.columnNames?.forEach((renamed, i) => { names[i] = renamed; });
  const outputs = new Map<string, Inner>();
  // A name given twice is ambiguous outside: the outer WHERE fails on it, so nothing moves.
  names.forEach((name, i) => outputs.set(name, outputs.has(name) ? null : (inner[i] ?? null)));
  return outputs;
}

/** `where`'s AND operands, left to right. */
function conjunctsOf(where: Expr): Expr[] {
  return where.kind === 'binary' && where.op === 'AND' ? [...conjunctsOf(where.left), ...conjunctsOf(where.right)] : [where];
}

/** `conjunct` over the query's own columns, or null when it names anything else or holds a subquery or aggregate. */
function innerExpr(conjunct: Expr, derivedName: string, outputs: ReadonlyMap<string, Inner>): Expr | null {
  let pushable = true;
  const map = (e: Expr): Expr => {
    switch (e.kind) {
      case 'column': {
        const inner = e.table === null || e.table === derivedName ? outputs.get(e.name) : undefined;
        if (inner === undefined || inner === null) pushable = false;
        return inner ?? e;
      }
      case 'subquery': case 'subqueryError': case 'aggregate': case 'window': case 'param':
        pushable = false;
        return e;
      case 'in':
        if (e.answered !== undefined) pushable = false;
        return mapOperands(e, map);
      default:
        return mapOperands(e, map);
    }
  };
  const inner = map(conjunct);
  return pushable ? inner : null;
}
