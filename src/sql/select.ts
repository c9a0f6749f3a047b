import { ChronosError } from '../lib/index.js';
import type { StorageReader, Row, SqlType, SqlValue } from '../storage/index.js';
import { isPosition } from './ast.js';
import type { AggregateName, Expr, SelectStatement } from './ast.js';
import { accumulatorFactory, aggregateType } from './aggregate.js';
import { compileCondition, compileExpr, type CompileContext, type Compiled, type Evaluator } from './compile.js';
import { collectAggregates, hasAggregate, resolvedKey } from './expr-walk.js';
import { DONE, GroupAggregator, type AggregateSpec } from './group-aggregator.js';
import { checkFraction } from './ordered-set-aggregate.js';
import { compileDistinctOn, firstOfEachRun } from './distinct-on.js';
import { withNaturalJoins } from './natural-join.js';
import { withOuterUsing } from './outer-using.js';
import type { HeldValues } from './string-aggregate.js';
import { hasDerivedTables, materializeDerivedTables } from './derived-tables.js';
import { withWherePushedDown } from './derived-pushdown.js';
import { joinedRows } from './joins.js';
import { executeCompound } from './set-operation.js';
import { resolveSubqueries, subqueriesOf } from './subqueries.js';
import { HOLDING_ADVICE, StatementGuard } from './statement-guard.js';
import { chooseAccessPath, type SelectPlan } from './plan.js';
import { printExpr } from './print.js';
import type { RowsResult } from './result.js';
import { Scope } from './scope.js';
import { compareSortKey, type SortOrder } from './value-ops.js';
import { windowsOf, WindowStep } from './window.js';
import { columnScanOf } from './column-scan.js';
import { scanOrderFor } from './scan-order.js';
import { sortYielding } from './yielding-sort.js';
import { withDependentColumns } from './functional-grouping.js';
import { valuesKey } from './values-key.js';


interface Output {
  readonly name: string;
  readonly expr: Expr;
}

/** A LIMIT/OFFSET value: a constant non-negative INT, or null when absent. */
export function nonNegativeInt(expr: Expr | null, what: string, nowMs: number): number | null {
  if (expr === null) return null;
  const c = compileExpr(expr, { scope: null, nowMs });
  const v = c.evaluate([]);
  if (v === null) return null;
  if (c.type !== 'INT' || (typeof v === 'number' && v < 0) || (typeof v === 'bigint' && v < 0n)) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `${what} must be a non-negative integer, got ${String(v)}`,
    );
  }
  return Number(v);
}

export type { SelectPlan } from './plan.js';

function buildScope(s: SelectStatement, reader: StorageReader): Scope {
  const scope = new Scope();
  if (s.from === null) {
    if (s.joins.length > 0) throw new ChronosError('UNSUPPORTED', 'Unsupported: JOIN without FROM');
    return scope;
  }
  const tableOf = (name: string) => {
    const t = reader.catalog.table(name);
    if (t === undefined) throw new ChronosError(
      'UNKNOWN_TABLE',
      `Unknown table ${name}`,
      { details: { table: name } },
    );
    return t;
  };
  scope.addTable(tableOf(s.from.table), s.from.alias);
  for (const j of s.joins) {
    const schema = tableOf(j.table.table);
    const using = new Set(j.using ?? []);
    for (const col of using) {
      scope.resolve(null, col);
      if (!schema.columns.some((c) => c.name === col)) {
        throw new ChronosError(
          'UNKNOWN_COLUMN',
          `Unknown column ${col} in table ${schema.name} (JOIN USING)`,
        );
      }
    }
    scope.addTable(schema, j.table.alias, using);
  }
  return scope;
}

/** Plan a SELECT: the scope of its tables and the access path of its first table. */
export function planSelect(s: SelectStatement, reader: StorageReader, nowMs: number): SelectPlan {
  const scope = buildScope(s, reader);
  const first = scope.tables[0];
  const path = first === undefined ? null : chooseAccessPath(
    first.schema,
    first.qualifier,
    s.where,
    nowMs,
  );
  return { scope, path };
}

/** Run a SELECT against a reader (a snapshot or a write transaction). */
export async function executeSelect(
  statement: SelectStatement,
  storage: StorageReader,
  nowMs: number,
  guard: StatementGuard = new StatementGuard(),
): Promise<RowsResult> {
  const derived = await withDerivedTables(statement, storage, nowMs, guard);
  const reader = derived.reader;
  const s = withOuterUsing(withNaturalJoins(derived.statement, reader.catalog), reader.catalog);
  const plan = planSelect(s, reader, nowMs);
  const compiled = compileSelect(s, plan, nowMs);
  const produced = await produceRows(s, plan, reader, compiled, nowMs, guard);
  return await finishRows(s, compiled, produced, guard);
}

/** A SELECT planned and compiled once, to run again over readers of the same tables. */
export interface PreparedSelect {
  run(reader: StorageReader, guard: StatementGuard): Promise<RowsResult>;
}

/**
 * `statement` planned and compiled over `reader`'s tables (a WITH RECURSIVE round: planning
 * and compiling cost more than its few rows); null when it has subqueries, derived tables or
 * window functions, which each run must answer or hold anew.
 */
export function prepareSelect(statement: SelectStatement, reader: StorageReader, nowMs: number): PreparedSelect | null {
  if (hasDerivedTables(statement) || subqueriesOf(statement).length > 0 || windowsOf(statement).length > 0) return null;
  const s = withOuterUsing(withNaturalJoins(statement, reader.catalog), reader.catalog);
  const plan = planSelect(s, reader, nowMs);
  const compiled = compileSelect(s, plan, nowMs);
  return {
    run: async (r, guard) => finishRows(s, compiled, await produceRows(s, plan, r, compiled, nowMs, guard), guard),
  };
}

/** The statement with its derived tables (FROM subqueries) materialized into a reader. */
export async function withDerivedTables(
  statement: SelectStatement, storage: StorageReader, nowMs: number, guard: StatementGuard,
): Promise<{ readonly statement: SelectStatement; readonly reader: StorageReader }> {
  if (!hasDerivedTables(statement)) return { statement, reader: storage };
  return materializeDerivedTables(withWherePushedDown(statement, storage.catalog), storage, nowMs, guard, async (query, r) => {
    if (query.kind === 'compound') return executeCompound(query, r, nowMs, guard);
    return executeSelect((await resolveSubqueries(query, r, nowMs)) as SelectStatement, r, nowMs, guard);
  });
}

/** One ORDER BY key: an output column (`output` >= 0) or a hidden expression. */
interface SortKey extends SortOrder {
  readonly output: number;
  readonly evaluate: Evaluator | null;
}

/** A SELECT compiled against its plan: everything the row loop and the finish need. */
interface CompiledSelect {
  readonly outputs: readonly Output[];
  readonly where: Evaluator | null;
  readonly groupBy: readonly Expr[];
  readonly aggregates: readonly Extract<Expr, { kind: 'aggregate' }>[];
  readonly grouped: boolean;
  readonly groupEvals: readonly Evaluator[];
  readonly aggSpecs: readonly AggregateSpec[];
  readonly having: Evaluator | null;
  readonly windows: WindowStep | null;
  readonly items: readonly { readonly evaluate: Evaluator; readonly type: SqlType | null }[];
  readonly sortKeys: readonly SortKey[];
  /** DISTINCT ON's keys, as positions among `sortKeys` (a key's value is its sort key's). */
  readonly distinctOn: readonly number[] | null;
  readonly limit: number | null;
  readonly offset: number;
  /** Set when rows read in primary-key order are already in ORDER BY's order. */
  readonly scanOrder: ReturnType<typeof scanOrderFor>;
  /** Whether every row must be read (no LIMIT to stop at). */
  readonly needsAll: boolean;
  /** Rows to produce before the scan may stop. */
  readonly wanted: number;
}

/** Compiles the select list, WHERE, grouping, HAVING, windows, ORDER BY and LIMIT of `s`. */
function compileSelect(s: SelectStatement, plan: SelectPlan, nowMs: number): CompiledSelect {
  const scope = plan.scope;
  const outputs = selectOutputs(s, scope);
  const base: CompileContext = { scope, nowMs };
  const where = s.where === null ? null : compileCondition(
    s.where,
    { ...base, aggregatesRefused: 'in WHERE' },
    'WHERE',
  ).evaluate;
  const aliasExpr = aliasResolver(outputs, scope);
  const groupBy = withDependentColumns(s.groupBy.map(aliasExpr), scope);
  const aggregates = queryAggregates(s, outputs, groupBy);
  // HAVING alone groups too: every row forms one group, as in PostgreSQL.
  const grouped = groupBy.length > 0 || aggregates.length > 0 || s.having !== null;
  const grouping = grouped ? compileGrouping(groupBy, aggregates, scope, nowMs) : { outCtx: base, groupEvals: [], aggSpecs: [] };
  let outCtx = grouping.outCtx;
  const having = s.having === null ? null : compileCondition(s.having, outCtx, 'HAVING').evaluate;
  // Window functions run over the rows that pass WHERE, GROUP BY and HAVING; their values are
  // appended to each row, where the select list and ORDER BY read them.
  const windowExprs = windowsOf(s);
  const windows = windowExprs.length === 0 ? null : new WindowStep(windowExprs, outCtx,
    grouped ? grouping.groupEvals.length + grouping.aggSpecs.length : scope.width, nowMs);
  if (windows !== null) outCtx = { ...outCtx, windowSlotOf: (e) => windows.slotOf(e) };
  const items = outputs.map((o) => compileExpr(o.expr, outCtx));
  const on = s.distinctOn === undefined ? null : compileDistinctOn(s.distinctOn, s.orderBy, sortKeyExpr(outputs), outCtx);
  const sortKeys = [...compileSortKeys(s, outputs, outCtx), ...(on?.extraSortKeys ?? [])];
  const limit = nonNegativeInt(s.limit, 'LIMIT', nowMs);
  const offset = nonNegativeInt(s.offset, 'OFFSET', nowMs) ?? 0;
  // Rows read in primary-key order (forwards or backwards) may already be in ORDER BY's order:
  // then nothing is sorted and a LIMIT stops the scan early.
  const distinct = s.distinct || on !== null;
  const scanOrder = grouped || distinct || windows !== null ? null : scanOrderFor(s, plan,
    sortKeys.map((k, i) => (k.output >= 0 ? (outputs[k.output] as Output).expr : aliasExpr(s.orderBy[i]?.expr as Expr))),
    sortKeys.map((k) => k.descending));
  const needsAll = limit === null || (sortKeys.length > 0 && scanOrder === null) || distinct || grouped || windows !== null;
  const wanted = needsAll ? Infinity : (limit ?? 0) + offset;
  return {
    outputs, where, groupBy, aggregates, grouped, groupEvals: grouping.groupEvals, aggSpecs: grouping.aggSpecs,
    having, windows, items, sortKeys, distinctOn: on?.sortKeyOf ?? null, limit, offset, scanOrder, needsAll, wanted,
  };
}

/** The select list with each `*` and `t.*` expanded into the columns it names. */
function selectOutputs(s: SelectStatement, scope: Scope): Output[] {
  const outputs: Output[] = [];
  for (const item of s.items) {
    if (item.kind === 'expr') {
      outputs.push({ name: item.name, expr: item.expr });
      continue;
    }
    if (scope.tables.length === 0) throw new ChronosError(
      'INVALID_ARGUMENT',
      'SELECT * needs a FROM clause',
    );
    if (item.table !== null) scope.resolve(
      item.table,
      scope.columns.find((c) => c.qualifier === item.table || c.table === item.table)?.name ?? '*',
    );
    for (const c of scope.columns) {
      const other = c.qualifier !== item.table && c.table !== item.table;
      if (item.table === null ? c.merged : other || c.hidden === true) continue;
      outputs.push({ name: c.name, expr: { kind: 'column', table: c.qualifier, name: c.name } });
    }
  }
  return outputs;
}

/** Reads a GROUP BY or ORDER BY item as a select-list position or output name where it is one. */
function aliasResolver(outputs: readonly Output[], scope: Scope): (e: Expr) => Expr {
  return (e) => {
    if (isPosition(e)) {
      const target = outputs[e.value - 1];
      if (target === undefined) throw new ChronosError(
        'INVALID_ARGUMENT',
        `Position ${e.value} is not in the select list (1 to ${outputs.length})`,
      );
      return target.expr;
    }
    refuseConstant(e, 'GROUP BY');
    if (e.kind === 'column' && e.table === null && !scope.columns.some((c) => c.name === e.name)) {
      const target = outputs.find((o) => o.name === e.name);
      if (target !== undefined) return target.expr;
    }
    return e;
  };
}

/** The aggregates the query computes; refuses aggregates in GROUP BY. */
function queryAggregates(
  s: SelectStatement, outputs: readonly Output[], groupBy: readonly Expr[],
): Extract<Expr, { kind: 'aggregate' }>[] {
  const aggregates: Extract<Expr, { kind: 'aggregate' }>[] = [];
  for (const o of outputs) collectAggregates(o.expr, aggregates);
  if (s.having !== null) collectAggregates(s.having, aggregates);
  for (const o of s.orderBy) collectAggregates(o.expr, aggregates);
  for (const key of s.distinctOn ?? []) collectAggregates(key, aggregates);
  for (const g of groupBy) {
    if (hasAggregate(g)) throw new ChronosError(
      'INVALID_ARGUMENT',
      `Aggregates are not allowed in GROUP BY: ${printExpr(g)}`,
    );
  }
  return aggregates;
}

/**
 * The group keys and aggregates as evaluators, and the context output expressions compile in:
 * there a group key or an aggregate reads its slot of the group's row.
 */
function compileGrouping(
  groupBy: readonly Expr[], aggregates: readonly Extract<Expr, { kind: 'aggregate' }>[], scope: Scope,
  nowMs: number,
): { readonly outCtx: CompileContext; readonly groupEvals: Evaluator[]; readonly aggSpecs: AggregateSpec[] } {
  const base: CompileContext = { scope, nowMs };
  const slots = new Map<string, { slot: number; type: SqlType | null }>();
  const groupEvals = groupBy.map((g, i) => {
    const c = compileExpr(g, { ...base, aggregatesRefused: 'in GROUP BY' });
    slots.set(resolvedKey(g, scope), { slot: i, type: c.type });
    return c.evaluate;
  });
  const aggSpecs: AggregateSpec[] = [];
  for (const a of aggregates) {
    const key = resolvedKey(a, scope);
    if (slots.has(key)) continue;
    const arg = a.arg === null ? null : compileExpr(
      a.arg,
      { ...base, aggregatesRefused: 'inside an aggregate' },
    );
    const type = aggregateType(a.name as AggregateName, arg?.type ?? null);
    let table = 0;
    if (a.arg !== null && a.arg.kind === 'column') table = scope.resolve(
      a.arg.table,
      a.arg.name,
    ).tableIndex;
    slots.set(key, { slot: groupEvals.length + aggSpecs.length, type });
    const held: HeldValues = { count: 0 };
    aggSpecs.push({
      key,
      arg: arg?.evaluate ?? null,
      table,
      second: compileSecondArgument(a, { ...base, aggregatesRefused: 'inside an aggregate' }),
      orderKeys: compileAggregateOrder(a, { ...base, aggregatesRefused: 'inside an aggregate' }, scope),
      filter: a.filter === null ? null : compileCondition(a.filter, { ...base, aggregatesRefused: 'in FILTER' }, 'FILTER').evaluate,
      make: accumulatorFactory(a.name, arg?.type ?? null, a.distinct, nowMs, a.orderBy, held),
      held,
    });
  }
  return { outCtx: { scope, nowMs, slotOf: (e) => slots.get(resolvedKey(e, scope)) }, groupEvals, aggSpecs };
}

/** The evaluators of an aggregate's ORDER BY; with DISTINCT (PostgreSQL's rule) it may only name the value. */
function compileAggregateOrder(a: Extract<Expr, { kind: 'aggregate' }>, ctx: CompileContext, scope: Scope): Evaluator[] {
  const value = a.arg === null ? '' : resolvedKey(a.arg, scope);
  if (a.distinct && a.orderBy.some((o) => resolvedKey(o.expr, scope) !== value)) {
    throw new ChronosError('INVALID_ARGUMENT', `in ${a.name}(DISTINCT ...), ORDER BY may only name the value`);
  }
  return a.orderBy.map((o) => compileExpr(o.expr, ctx).evaluate);
}

/**
 * An aggregate's second argument, null where it has none; a string_agg/group_concat separator
 * must be a STRING, and group_concat's defaults to ',' (sqlite's).
 */
function compileSecondArgument(a: Extract<Expr, { kind: 'aggregate' }>, ctx: CompileContext): Evaluator | null {
  if (a.second === null) return a.name === 'group_concat' ? () => ',' : null;
  const second = compileExpr(a.second, ctx);
  if ((a.name === 'string_agg' || a.name === 'group_concat') && second.type !== null && second.type !== 'STRING') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${a.name}() separator must be a STRING, got ${second.type}`);
  }
  if (a.name === 'percentile_cont' || a.name === 'percentile_disc') checkPercentile(a.name, second);
  return second.evaluate;
}

/** A percentile's fraction: a constant number from 0 to 1 (or NULL), known before any row is read. */
function checkPercentile(name: string, fraction: Compiled): void {
  if (fraction.type !== null && fraction.type !== 'INT' && fraction.type !== 'FLOAT') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() fraction must be a number, got ${fraction.type}`);
  }
  if (!fraction.constant) throw new ChronosError('UNSUPPORTED', `Unsupported: a ${name}() fraction that is not a constant`);
  checkFraction(fraction.evaluate([]));
}

/** An ORDER BY (or DISTINCT ON) item as ORDER BY reads it: a position, then an output name, then itself. */
function sortKeyExpr(outputs: readonly Output[]): (e: Expr) => Expr {
  return (e) => {
    if (isPosition(e)) return outputs[e.value - 1]?.expr ?? e;
    if (e.kind === 'column' && e.table === null) return outputs.find((o) => o.name === e.name)?.expr ?? e;
    return e;
  };
}

/**
 * A constant written in GROUP BY or ORDER BY that is not a position ('1', 1.5, true, NULL) is
 * refused, as PostgreSQL refuses it, rather than grouping or sorting by nothing.
 */
function refuseConstant(e: Expr, clause: string): void {
  if (e.kind !== 'literal' || e.fromSubquery === true || e.unaryPlus === true) return;
  throw new ChronosError('INVALID_ARGUMENT', `non-integer constant in ${clause}: ${printExpr(e)}`);
}

/** An ORDER BY name that two different outputs carry (`SELECT x AS a, y AS a ... ORDER BY a`) is refused, as in PostgreSQL. */
function refuseAmbiguous(name: string, outputs: readonly Output[]): void {
  const named = outputs.filter((out) => out.name === name).map((out) => printExpr(out.expr));
  if (named.some((expr) => expr !== named[0])) throw new ChronosError('INVALID_ARGUMENT', `ORDER BY "${name}" is ambiguous`);
}

/** ORDER BY: an output position, an output name, or an expression (a hidden sort key). */
function compileSortKeys(s: SelectStatement, outputs: readonly Output[], outCtx: CompileContext): SortKey[] {
  return s.orderBy.map((o) => {
    const e = o.expr;
    if (isPosition(e)) {
      if (outputs[e.value - 1] === undefined) throw new ChronosError(
        'INVALID_ARGUMENT',
        `ORDER BY position ${e.value} is not in the select list (1 to ${outputs.length})`,
      );
      return { output: e.value - 1, evaluate: null, descending: o.descending, nullsFirst: o.nullsFirst };
    }
    refuseConstant(e, 'ORDER BY');
    if (e.kind === 'column' && e.table === null) {
      refuseAmbiguous(e.name, outputs);
      const idx = outputs.findIndex((out) => out.name === e.name);
      if (idx >= 0) return { output: idx, evaluate: null, descending: o.descending, nullsFirst: o.nullsFirst };
    }
    const same = s.distinct ? sameOutput(e, outputs, outCtx.scope) : -1;
    if (same >= 0) return { output: same, evaluate: null, descending: o.descending, nullsFirst: o.nullsFirst };
    if (s.distinct) throw new ChronosError(
      'INVALID_ARGUMENT',
      `With SELECT DISTINCT, ORDER BY ${printExpr(e)} must appear in the select list`,
    );
    return { output: -1, evaluate: compileExpr(e, outCtx).evaluate, descending: o.descending,
      nullsFirst: o.nullsFirst };
  });
}

/** The select-list item that is `e` once columns are resolved (`t.b` is `b`), or -1. */
function sameOutput(e: Expr, outputs: readonly Output[], scope: Scope | null): number {
  if (scope === null) return -1;
  const key = resolvedKey(e, scope);
  return outputs.findIndex((out) => resolvedKey(out.expr, scope) === key);
}

/** A projected row, its sort keys and its DISTINCT ON keys. */
interface ProducedRow {
  readonly out: SqlValue[];
  readonly keys: SqlValue[];
  readonly on: readonly SqlValue[];
}

const NO_KEYS: readonly SqlValue[] = [];

/** Reads, filters, groups and windows the rows, and projects each through the select list. */
async function produceRows(
  s: SelectStatement, plan: SelectPlan, reader: StorageReader, c: CompiledSelect, nowMs: number,
  guard: StatementGuard,
): Promise<ProducedRow[]> {
  const { having, windows, items, sortKeys, where } = c;
  const produced: ProducedRow[] = [];
  const windowed: Row[] = [];
  const project = (row: Row, counted: Row | null = null): void => {
    const out = items.map((i) => i.evaluate(row));
    // A window query's rows were counted as they were held (`counted`, before the window
    // values were appended): count only what the list adds to them.
    guard.holdingText(counted === null ? out : out.filter((value) => typeof value === 'string' && !counted.includes(value)));
    // Sort and DISTINCT ON keys outside the select list are held with the row too: 300 keys
    // of 16 MB (`ORDER BY lpad(...)`) ran a node out of heap uncounted.
    const keys = sortKeys.map((k) => {
      if (k.evaluate === null) return out[k.output] as SqlValue;
      const key = k.evaluate(row);
      if (typeof key === 'string') guard.holdingText([key]);
      return key;
    });
    const on = c.distinctOn === null ? NO_KEYS : c.distinctOn.map((position) => keys[position] as SqlValue);
    produced.push({ out, keys, on });
  };
  const emit = (row: Row): void => {
    if (having !== null && having(row) !== true) return;
    if (windows !== null) {
      // Held until every window value is computed: 300 rows of 16 MB had run uncounted.
      guard.holdingText(row);
      windowed.push(row);
      return;
    }
    project(row);
  };
  if (c.grouped) {
    for (const row of await groupedRows(s, plan, reader, c, nowMs, guard)) {
      if (guard.step()) await guard.pause();
      emit(row);
    }
  } else {
    outer: for await (const batch of joinedRows(s, plan, reader, nowMs, guard, c.scanOrder === 'reverse')) {
      for (const row of batch.rows) {
        if (guard.step()) await guard.pause();
        if (where !== null && where(row) !== true) continue;
        emit(row);
        if (produced.length >= c.wanted) break outer;
      }
      if (c.needsAll) guard.holding(produced.length + windowed.length, ...heldWhole(c, s.distinct));
    }
  }
  if (windows !== null) {
    guard.holding(windowed.length, ...heldWhole(c, s.distinct));
    const appended = await windows.apply(windowed, guard);
    for (let r = 0; r < appended.length; r++) {
      if (guard.step()) await guard.pause();
      project(appended[r] as Row, windowed[r] as Row);
    }
  }
  return produced;
}

/** Why a query holds all its rows, and what narrows them, for the error past the row limit. */
function heldWhole(c: CompiledSelect, distinct: boolean): [string, string] {
  if (c.windows !== null) {
    return ['the rows a window function reads', 'narrow it with WHERE: a window function reads every row before a LIMIT around it applies'];
  }
  if (distinct || c.distinctOn !== null) return ['the result (kept whole for DISTINCT)', 'narrow it with WHERE'];
  if (c.limit === null) return ['the result (kept whole: no LIMIT)', HOLDING_ADVICE];
  return ['the result (kept whole for ORDER BY)', 'narrow it with WHERE, or ORDER BY the primary key (read in order, so LIMIT stops early)'];
}

/** The groups' rows: from column blocks where the query allows it, else from joined rows. */
async function groupedRows(
  s: SelectStatement, plan: SelectPlan, reader: StorageReader, c: CompiledSelect, nowMs: number,
  guard: StatementGuard,
): Promise<Iterable<Row>> {
  const aggregator = new GroupAggregator([...c.groupEvals], [...c.aggSpecs], c.where);
  // Without GROUP BY the one group is not held rows: only the values aggregates keep (string_agg) are.
  const held = c.groupBy.length > 0 ? 'GROUP BY' : 'the aggregation (values string_agg and the like keep)';
  const heldRows = (): number => aggregator.heldCount - (c.groupBy.length > 0 ? 0 : 1);
  const columns = columnScanOf(s, plan, [...(s.where === null ? [] : [s.where]), ...c.groupBy], [...c.aggregates]);
  if (columns !== null) {
    for await (const batch of reader.scanColumns(columns.table, columns.positions, columns.range, columns.presenceOnly)) {
      for (let from = 0; from !== DONE;) {
        from = aggregator.addColumns(batch, columns.positions, plan.scope.width, guard, from);
        guard.holding(heldRows(), held);
        if (from !== DONE) await guard.pause();
      }
    }
  } else {
    for await (const batch of joinedRows(s, plan, reader, nowMs, guard)) {
      for (let from = 0; from !== DONE;) {
        from = aggregator.addBatch(batch.rows, batch.times, batch.width, guard, from);
        guard.holding(heldRows(), held);
        if (from !== DONE) await guard.pause();
      }
    }
  }
  return aggregator.results(guard);
}

/** The first row of each distinct output, in order. */
async function distinctRows(rows: readonly ProducedRow[], guard: StatementGuard): Promise<ProducedRow[]> {
  const seen = new Set<string>();
  const kept: ProducedRow[] = [];
  for (const row of rows) {
    const key = valuesKey(row.out);
    if (!seen.has(key)) {
      seen.add(key);
      kept.push(row);
    }
    if (guard.step()) await guard.pause();
  }
  return kept;
}

/** DISTINCT, ORDER BY (unless the scan order already gave it), DISTINCT ON and LIMIT/OFFSET. */
async function finishRows(
  s: SelectStatement, c: CompiledSelect, produced: ProducedRow[], guard: StatementGuard,
): Promise<RowsResult> {
  const { sortKeys, offset, limit } = c;
  let rows = produced;
  if (s.distinct) rows = await distinctRows(rows, guard);
  if (sortKeys.length > 0 && c.scanOrder === null) {
    rows = await sortYielding(rows, (a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const order = compareSortKey(a.keys[i] ?? null, b.keys[i] ?? null, sortKeys[i] as SortOrder);
        if (order !== 0) return order;
      }
      return 0;
    }, guard);
  }
  // Sorted by ORDER BY and then the keys it leaves out, rows equal in the keys are together.
  if (c.distinctOn !== null) rows = await firstOfEachRun(rows, guard);
  const sliced = rows.slice(offset, limit === null ? undefined : offset + limit);
  return {
    kind: 'rows',
    columns: c.outputs.map((o) => o.name),
    columnTypes: c.items.map((i) => i.type),
    rows: sliced.map((r) => r.out),
  };
}
