import { ChronosError } from '../lib/index.js';
import type { Catalog } from '../storage/index.js';
import type { Expr, Join, SelectItem, SelectStatement, TableRef } from './ast.js';
import { tablesOfSelect } from './ast.js';
import { mapOperands, mapStatementExprs } from './expr-map.js';

// `a FULL JOIN b USING (k)`: the one column k is a's k where a has the row and b's where only b
// has it, coalesce(a.k, b.k); after a RIGHT JOIN it is b's. The scope's merged columns cannot
// say that (a name there is one slot of the row), so such a join is rewritten before planning:
// ON a.k = b.k, and every unqualified k of the query (and `*`) made that expression.

type Column = Extract<Expr, { kind: 'column' }>;

const qualifierOf = (ref: TableRef): string => ref.alias ?? ref.table;

function column(table: string, name: string): Column {
  return { kind: 'column', table, name };
}

/** What the rewrite decided: the expression of each merged name, and the copies `*` leaves out. */
interface Merges {
  readonly names: Map<string, Expr>;
  /** `qualifier.name` of the copy `*` shows as the merged expression. */
  readonly shownAt: Map<string, string>;
  readonly hidden: Set<string>;
}

/** The one visible copy of `name` in the tables before a join (refused when none or several). */
function leftCopy(name: string, before: readonly TableRef[], catalog: Catalog, merges: Merges): Expr {
  const merged = merges.names.get(name);
  if (merged !== undefined) return merged;
  const owners = before.map(qualifierOf).filter((q, i) => !merges.hidden.has(`${q}.${name}`)
    && (catalog.table((before[i] as TableRef).table)?.columns.some((c) => c.name === name) ?? false));
  if (owners.length > 1) {
    throw new ChronosError('AMBIGUOUS_COLUMN', `Column reference ${name} is ambiguous (in ${owners.join(', ')})`);
  }
  const owner = owners[0];
  if (owner === undefined) {
    throw new ChronosError('UNKNOWN_COLUMN', `Unknown column ${name} in the tables before JOIN USING`, { details: { column: name } });
  }
  merges.shownAt.set(name, `${owner}.${name}`);
  return column(owner, name);
}

/** Refuses an unqualified merged name that a table in scope also has a copy of (as PostgreSQL does). */
function checkUnambiguous(name: string, tables: readonly TableRef[], catalog: Catalog, merges: Merges): void {
  const others = tables.map(qualifierOf).filter((q, i) => {
    const at = `${q}.${name}`;
    return !merges.hidden.has(at) && merges.shownAt.get(name) !== at
      && (catalog.table((tables[i] as TableRef).table)?.columns.some((c) => c.name === name && c.hidden !== true) ?? false);
  });
  if (others.length > 0) {
    throw new ChronosError('AMBIGUOUS_COLUMN', `Column reference ${name} is ambiguous (the USING column and ${others.join(', ')}.${name})`);
  }
}

/** One USING join as ON, recording what its names now stand for. */
function asOn(j: Join, before: readonly TableRef[], catalog: Catalog, merges: Merges): Join {
  const right = qualifierOf(j.table);
  let on: Expr | null = null;
  for (const name of j.using ?? []) {
    if (catalog.table(j.table.table)?.columns.some((c) => c.name === name) !== true) {
      throw new ChronosError('UNKNOWN_COLUMN', `Unknown column ${name} in table ${j.table.table} (JOIN USING)`);
    }
    const left = leftCopy(name, before, catalog, merges);
    const eq: Expr = { kind: 'binary', op: '=', left, right: column(right, name) };
    on = on === null ? eq : { kind: 'binary', op: 'AND', left: on, right: eq };
    if (j.outer === 'full') merges.names.set(name, { kind: 'call', name: 'coalesce', args: [left, column(right, name)] });
    else if (j.outer === 'right') merges.names.set(name, column(right, name));
    else merges.names.set(name, left);
    merges.hidden.add(`${right}.${name}`);
  }
  return { ...j, using: null, on };
}

/** `*` as the columns it stands for, each merged name once, where its first copy is. */
function expandStars(s: SelectStatement, refs: readonly TableRef[], catalog: Catalog, merges: Merges): SelectItem[] {
  return s.items.flatMap((item): SelectItem[] => {
    if (item.kind !== 'star' || item.table !== null) return [item];
    return refs.flatMap((ref) => (catalog.table(ref.table)?.columns ?? []).flatMap((c): SelectItem[] => {
      const at = `${qualifierOf(ref)}.${c.name}`;
      if (merges.hidden.has(at) || c.hidden === true) return [];
      const merged = merges.shownAt.get(c.name) === at ? merges.names.get(c.name) : undefined;
      return [{ kind: 'expr', expr: merged ?? column(qualifierOf(ref), c.name), name: c.name }];
    }));
  });
}

/**
 * The statement with each RIGHT or FULL JOIN ... USING (and every USING join after the first
 * of them) read as ON, and its unqualified names of their columns, and `*`, as the merged
 * values. Unknown tables are left for the planner to name.
 */
export function withOuterUsing(s: SelectStatement, catalog: Catalog): SelectStatement {
  const first = s.joins.findIndex((j) => j.using !== null && (j.outer === 'right' || j.outer === 'full'));
  if (first < 0 || s.from === null) return s;
  const refs = tablesOfSelect(s);
  if (refs.some((ref) => catalog.table(ref.table) === undefined)) return s;
  const merges: Merges = { names: new Map(), shownAt: new Map(), hidden: new Set() };
  // How many tables are in scope where an expression is rewritten (a join's ON sees those up to it).
  let inScope = refs.length;
  const rewrite = (e: Expr): Expr => {
    if (e.kind !== 'column' || e.table !== null) return mapOperands(e, rewrite);
    const merged = merges.names.get(e.name);
    if (merged !== undefined) checkUnambiguous(e.name, refs.slice(0, inScope), catalog, merges);
    return merged ?? e;
  };
  // In order: a join's ON sees the names merged by the joins up to it, not later ones.
  const joins = s.joins.map((j, i): Join => {
    if (i < first) {
      for (const name of j.using ?? []) merges.hidden.add(`${qualifierOf(j.table)}.${name}`);
      return j;
    }
    if (j.using !== null) return asOn(j, refs.slice(0, i + 1), catalog, merges);
    inScope = i + 2;
    return j.on === null ? j : { ...j, on: rewrite(j.on) };
  });
  inScope = refs.length;
  const items = expandStars(s, refs, catalog, merges);
  // ORDER BY a bare output name sorts by that output (an alias may be called k too).
  const outputs = new Set(items.flatMap((item) => (item.kind === 'expr' ? [item.name]
    : refs.filter((ref) => qualifierOf(ref) === item.table || ref.table === item.table)
      .flatMap((ref) => (catalog.table(ref.table)?.columns ?? []).filter((c) => c.hidden !== true).map((c) => c.name)))));
  const byOutput = s.orderBy.map((o) => o.expr.kind === 'column' && o.expr.table === null && outputs.has(o.expr.name));
  const rest = mapStatementExprs({ ...s, items, joins: [], orderBy: [] }, rewrite) as SelectStatement;
  const orderBy = s.orderBy.map((o, i) => (byOutput[i] === true ? o : { ...o, expr: rewrite(o.expr) }));
  return { ...rest, orderBy, joins };
}
