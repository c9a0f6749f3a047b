import { hasDerivedTables } from './derived-tables.js';
import type { StorageReader } from '../storage/index.js';
import type {
  CompoundStatement, ExplainableStatement, Expr, Join, OrderItem, QueryTerm, SelectStatement,
} from './ast.js';
import { isPosition } from './ast.js';
import { DeferredValueError } from './compile.js';
import { eachChild, rootsOf } from './expr-depth.js';
import { mapOperands } from './expr-map.js';
import { collectAggregates } from './expr-walk.js';
import { windowsOf } from './window.js';
import { scanOrderFor } from './scan-order.js';
import { describeAccessPath } from './plan.js';
import { printExpr } from './print.js';
import type { RowsResult } from './result.js';
import { executeSelect, planSelect, withDerivedTables } from './select.js';
import { derivedSteps } from './explain-derived.js';
import { withWherePushedDown } from './derived-pushdown.js';
import { StatementGuard } from './statement-guard.js';
import { executeCompound } from './set-operation.js';
import { hashedJoins } from './joins.js';
import { withNaturalJoins } from './natural-join.js';
import { withOuterUsing } from './outer-using.js';
import { resolveSubqueries } from './subqueries.js';
import { withoutRows } from './without-rows.js';
import { outerAggregatesShown } from './outer-aggregates.js';
import { enclosingReferences, levelOf, tablesOfSelect } from './correlated.js';
import type { Level } from './correlated.js';
import { columnIndex } from './write-checks.js';

/** One line of a plan: a step and how deep it sits (its inputs are one level deeper). */
interface Step {
  readonly depth: number;
  readonly text: string;
}

/** Columns keep their table qualifier in a plan (`log.m = site`), unlike output names. */
function qualified(e: Expr): Expr {
  if (e.kind === 'column' && e.table !== null) return { ...e, table: null, name: `${e.table}.${e.name}` };
  return mapOperands(e, qualified);
}

/** A subquery's answer shows as the subquery written, not as a number that reads like a position. */
function asWritten(resolved: Expr, written: Expr | undefined): Expr {
  const answer = (resolved.kind === 'literal' && resolved.fromSubquery === true)
    || resolved.kind === 'subqueryError';
  return answer && written !== undefined ? written : resolved;
}

/** An expression as a plan shows it. */
function show(e: Expr): string {
  return printExpr(qualified(e));
}

/** `SELECT * FROM table WHERE where`: the scan an UPDATE or DELETE does to find its rows. */
export function scanOf(table: string, where: Expr | null): SelectStatement {
  return {
    kind: 'select', distinct: false, items: [{ kind: 'star', table: null }],
    from: { table, alias: null }, joins: [], where, groupBy: [], having: null,
    orderBy: [], limit: null, offset: null,
  };
}

/**
 * EXPLAIN: the plan as text rows, outermost step first, each step's inputs indented below it.
 * Subqueries are answered first (as running the statement would), so the access path shown
 * is the one the statement would take; nothing else runs.
 */
export async function explainPlan(s: ExplainableStatement, reader: StorageReader, nowMs: number): Promise<RowsResult> {
  await validate(s, reader, nowMs);
  const steps: Step[] = [];
  await statementSteps(s, reader, nowMs, 0, steps);
  return {
    kind: 'rows',
    columns: ['plan'],
    columnTypes: ['STRING'],
    rows: steps.map((step) => [`${'  '.repeat(step.depth)}${step.text}`]),
  };
}


/**
 * Refuse what the statement would refuse (unknown names, type errors) without reading rows. An
 * error a row raises only where it needs the value is no error of the statement's shape.
 */
async function validate(s: ExplainableStatement, reader: StorageReader, nowMs: number): Promise<void> {
  try {
    await validateOverNoRows(s, reader, nowMs);
  } catch (error) {
    if (!(error instanceof DeferredValueError)) throw error;
  }
}

async function validateOverNoRows(
  s: ExplainableStatement, reader: StorageReader, nowMs: number,
): Promise<void> {
  const empty = withoutRows(reader);
  switch (s.kind) {
    case 'compound':
      await executeCompound(s, empty, nowMs);
      return;
    case 'select':
      await executeSelect((await resolveSubqueries(s, reader, nowMs)) as SelectStatement, empty, nowMs);
      return;
    case 'update':
    case 'delete': {
      const values = s.kind === 'update' ? s.assignments.map((a) => a.value) : [];
      const schema = reader.catalog.table(s.table);
      if (s.kind === 'update' && schema !== undefined) for (const a of s.assignments) columnIndex(schema, a.column);
      const scan = { ...scanOf(s.table, s.where), items: [...values.map((expr) => ({ kind: 'expr' as const, expr, name: '' })), { kind: 'star' as const, table: null }] };
      await executeSelect((await resolveSubqueries(scan, reader, nowMs)) as SelectStatement, empty, nowMs);
    }
  }
}

async function statementSteps(
  s: ExplainableStatement,
  reader: StorageReader,
  nowMs: number,
  depth: number,
  out: Step[],
): Promise<void> {
  switch (s.kind) {
    case 'select':
      return selectSteps(s, reader, nowMs, depth, out);
    case 'compound':
      return compoundSteps(s, reader, nowMs, depth, out);
    case 'update':
    case 'delete':
      out.push({ depth, text: s.kind === 'update' ? `Update ${s.table}` : `Delete from ${s.table}` });
      return selectSteps(scanOf(s.table, s.where), reader, nowMs, depth + 1, out);
  }
}

function orderText(items: readonly OrderItem[]): string {
  return items.map((o) => {
    const defaultNullsFirst = o.descending;
    const nulls = o.nullsFirst === defaultNullsFirst ? '' : o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
    return `${show(o.expr)}${o.descending ? ' DESC' : ''}${nulls}`;
  }).join(', ');
}

/**
 * Limit and Sort steps (`inKeyOrder`: the rows are read in ORDER BY's order, nothing is sorted);
 * returns the depth the steps below them start at.
 */
function tailSteps(
  q: { readonly orderBy: readonly OrderItem[]; readonly limit: Expr | null; readonly offset: Expr | null },
  depth: number,
  out: Step[],
  inKeyOrder = false,
): number {
  let d = depth;
  if (q.limit !== null || q.offset !== null) {
    const limit = q.limit === null ? 'Limit all' : `Limit ${show(q.limit)}`;
    out.push({ depth: d++, text: q.offset === null ? limit : `${limit} offset ${show(q.offset)}` });
  }
  if (q.orderBy.length > 0) {
    out.push({ depth: d++, text: inKeyOrder ? `In key order ${orderText(q.orderBy)} (no sort)` : `Sort by ${orderText(q.orderBy)}` });
  }
  return d;
}

/** LIMIT, then DISTINCT ON's cut, then the sort by ORDER BY and the keys it leaves out. */
function distinctOnSteps(keys: readonly Expr[], q: Parameters<typeof tailSteps>[0], depth: number, out: Step[]): number {
  let d = tailSteps({ orderBy: [], limit: q.limit, offset: q.offset }, depth, out);
  out.push({ depth: d++, text: `Distinct on ${keys.map(show).join(', ')}` });
  const named = new Set(q.orderBy.map((o) => show(o.expr)));
  const rest = keys.filter((k) => !named.has(show(k))).map((expr): OrderItem => ({ expr, descending: false, nullsFirst: false }));
  return tailSteps({ orderBy: [...q.orderBy, ...rest], limit: null, offset: null }, d, out);
}

/**
 * Where a subquery sits, for EXPLAIN: the FROM levels of the queries around it (innermost
 * first), the outer aggregates shown in it as plain values (by their text), and whether it is
 * shown as written: a subquery answered per outer value cannot answer its own subqueries
 * before those values are bound, and neither can anything inside it.
 */
interface Surroundings {
  readonly enclosing: readonly Level[];
  readonly outerValues: ReadonlySet<string>;
  readonly asWritten: boolean;
}

const TOP: Surroundings = { enclosing: [], outerValues: new Set(), asWritten: false };

async function selectSteps(
  original: SelectStatement,
  reader: StorageReader,
  nowMs: number,
  depth: number,
  out: Step[],
  around: Surroundings = TOP,
): Promise<void> {
  const subqueries = subqueriesOf(original);
  const resolved = subqueries.length === 0 || around.asWritten ? original
    : (await resolveSubqueries(original, reader, nowMs)) as SelectStatement;
  // Derived tables held with no rows: planning needs only their columns.
  const derived = await withDerivedTables(resolved, withoutRows(reader), nowMs, new StatementGuard());
  const planReader = derived.reader;
  const s = withOuterUsing(withNaturalJoins(derived.statement, planReader.catalog), planReader.catalog);
  const byName = s.orderBy.map((o, i) => {
    const e = o.expr;
    const written = asWritten(e, original.orderBy[i]?.expr);
    if (written !== e) return { ...o, expr: written };
    const item = isPosition(e) ? s.items[e.value - 1]
      : e.kind === 'column' && e.table === null ? s.items.find((i) => i.kind === 'expr' && i.name === e.name && i.expr.kind === 'column') : undefined;
    return item?.kind === 'expr' ? { ...o, expr: item.expr } : o;
  });
  const plan = planSelect(s, planReader, nowMs);
  const windows = windowsOf(s);
  const aggregates: Extract<Expr, { kind: 'aggregate' }>[] = [];
  for (const item of s.items) if (item.kind === 'expr') collectAggregates(item.expr, aggregates);
  if (s.having !== null) collectAggregates(s.having, aggregates);
  for (const o of s.orderBy) collectAggregates(o.expr, aggregates);
  for (const key of s.distinctOn ?? []) collectAggregates(key, aggregates);
  const grouped = s.groupBy.length > 0 || aggregates.length > 0 || s.having !== null;
  const inKeyOrder = !grouped && !s.distinct && s.distinctOn === undefined && windows.length === 0 &&
    scanOrderFor(s, plan, byName.map((o) => o.expr), byName.map((o) => o.descending)) !== null;
  let d = s.distinctOn === undefined ? tailSteps({ ...s, orderBy: byName }, depth, out, inKeyOrder)
    : distinctOnSteps(s.distinctOn, { ...s, orderBy: byName }, depth, out);
  if (s.distinct) out.push({ depth: d++, text: 'Distinct' });
  if (windows.length > 0) out.push({ depth: d++, text: `Window: ${[...new Set(windows.map(show))].join(', ')}` });
  if (s.having !== null) out.push({ depth: d++, text: `Filter (HAVING) ${show(s.having)}` });
  if (grouped) {
    const keys = s.groupBy.map((g, i) => asWritten(g, original.groupBy[i]));
    const by = keys.length > 0 ? ` by ${keys.map(show).join(', ')}` : '';
    const of = aggregates.length > 0 ? `: ${[...new Set(aggregates.map(show))].join(', ')}` : '';
    out.push({ depth: d++, text: `Aggregate${by}${of}` });
  }
  if (s.where !== null) out.push({ depth: d++, text: `Filter ${show(s.where)}` });
  if (plan.path === null) out.push({ depth: d, text: 'One row (no FROM)' });
  else {
    const hashed = s.joins.length === 0 ? [] : hashedJoins(s, plan, nowMs);
    joinSteps(s.joins.map((j, i) => ({ join: j, hashed: hashed[i] === true })), describeAccessPath(plan.path), d, out);
  }
  if (hasDerivedTables(resolved)) {
    await derivedSteps(withWherePushedDown(resolved, reader.catalog), reader, planReader, depth + 1, out, async (query, r, at, enclosing) => (query.kind === 'compound'
      ? compoundSteps(query, r, nowMs, at, out)
      : selectSteps(query, r, nowMs, at, out, enclosing === null ? TOP : { enclosing, outerValues: new Set(), asWritten: true })));
  }
  const levels = [levelOf(tablesOfSelect(original), reader.catalog), ...around.enclosing];
  for (const [i, sub] of subqueries.entries()) {
    const { shown, query } = outerAggregatesShown(sub, original, reader.catalog, show);
    const outerValues = new Set([...around.outerValues, ...shown]);
    const per = [...new Set([...enclosingReferences(query, levels, reader.catalog).map(show), ...shown,
      ...valuesNamedIn(query, around.outerValues)])];
    const when = per.length === 0 ? 'once before the statement' : `per value of the outer query's ${per.join(', ')}`;
    out.push({ depth: depth + 1, text: `Subquery ${i + 1} (${sub.mode}), answered ${when}` });
    await selectSteps(query, reader, nowMs, depth + 2, out,
      { enclosing: levels, outerValues, asWritten: around.asWritten || per.length > 0 });
  }
}

/** The outer values (shown by their text as unqualified columns) that `query` reads, nested subqueries included. */
function valuesNamedIn(query: SelectStatement, names: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const visit = (e: Expr): void => {
    if (e.kind === 'column' && e.table === null && names.has(e.name)) found.add(e.name);
    if (e.kind === 'subquery') for (const root of rootsOf(e.query)) if (root !== null) visit(root);
    eachChild(e, visit);
  };
  for (const root of rootsOf(query)) if (root !== null) visit(root);
  return [...found];
}

/** Joins nest left-deep: the last join is the outermost; joined tables are read whole. */
function joinSteps(joins: readonly { join: Join; hashed: boolean }[], firstAccess: string, depth: number, out: Step[]): void {
  const last = joins.at(-1);
  if (last === undefined) {
    out.push({ depth, text: firstAccess });
    return;
  }
  const { join, hashed } = last;
  const conditions = [
    ...(join.using === null ? [] : [`USING (${join.using.join(', ')})`]),
    ...(join.on === null ? [] : [`ON ${show(join.on)}`]),
  ];
  const kind = `${hashed ? 'Hash' : 'Nested loop'} ${join.outer === undefined ? 'join' : `${join.outer} join`}`;
  out.push({ depth, text: `${kind} ${join.table.table} ${conditions.join(' ')}`.trimEnd() });
  joinSteps(joins.slice(0, -1), firstAccess, depth + 1, out);
  out.push({ depth: depth + 1, text: `FULL SCAN ${join.table.table} (held in memory)` });
}

async function compoundSteps(
  s: CompoundStatement,
  reader: StorageReader,
  nowMs: number,
  depth: number,
  out: Step[],
): Promise<void> {
  const d = tailSteps(s, depth, out);
  await termSteps(s.body, reader, nowMs, d, out);
}

async function termSteps(term: QueryTerm, reader: StorageReader, nowMs: number, depth: number, out: Step[]): Promise<void> {
  if (term.kind === 'select') return selectSteps(term, reader, nowMs, depth, out);
  const name = term.op.charAt(0) + term.op.slice(1).toLowerCase();
  out.push({ depth, text: term.all ? `${name} all` : name });
  await termSteps(term.left, reader, nowMs, depth + 1, out);
  await termSteps(term.right, reader, nowMs, depth + 1, out);
}

/** The subqueries of a SELECT's own expressions (not those nested in them). */
function subqueriesOf(s: SelectStatement): Extract<Expr, { kind: 'subquery' }>[] {
  const found: Extract<Expr, { kind: 'subquery' }>[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'subquery') found.push(e);
    else eachChild(e, visit);
  };
  for (const root of rootsOf(s)) if (root !== null) visit(root);
  return found;
}
