import { ChronosError } from '../lib/index.js';
import type { StorageReader, Row, SqlType, SqlValue } from '../storage/index.js';
import type { AggregateName, Expr, SelectStatement } from './ast.js';
import { accumulatorFactory, aggregateType } from './aggregate.js';
import { compileExpr, type CompileContext, type Evaluator } from './compile.js';
import { collectAggregates, hasAggregate, resolvedKey } from './expr-walk.js';
import { GroupAggregator, type AggregateSpec } from './group-aggregator.js';
import { hasDerivedTables, materializeDerivedTables } from './derived-tables.js';
import { joinedRows } from './joins.js';
import { executeCompound } from './set-operation.js';
import { resolveSubqueries } from './subqueries.js';
import { StatementGuard } from './statement-guard.js';
import { chooseAccessPath, type SelectPlan } from './plan.js';
import { printExpr } from './print.js';
import type { RowsResult } from './result.js';
import { Scope } from './scope.js';
import { compareSortKey, type SortOrder } from './value-ops.js';
import { windowsOf, WindowStep } from './window.js';
import { columnScanOf } from './column-scan.js';
import { scanOrderFor } from './scan-order.js';


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
  let s = statement;
  let reader = storage;
  if (hasDerivedTables(s)) {
    ({ statement: s, reader } = await materializeDerivedTables(s, reader, nowMs, guard, async (query, r) => {
      if (query.kind === 'compound') return executeCompound(query, r, nowMs);
      return executeSelect((await resolveSubqueries(query, r, nowMs)) as SelectStatement, r, nowMs, guard);
    }));
  }
  const plan = planSelect(s, reader, nowMs);
  const scope = plan.scope;
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
      if (item.table === null ? c.merged : other) continue;
      outputs.push({ name: c.name, expr: { kind: 'column', table: c.qualifier, name: c.name } });
    }
  }
  const base: CompileContext = { scope, nowMs };
  const where = s.where === null ? null : compileExpr(
    s.where,
    { ...base, aggregatesRefused: 'in WHERE' },
  ).evaluate;
  const aliasExpr = (e: Expr): Expr => {
    if (e.kind === 'literal' && e.type === 'INT' && typeof e.value === 'number') {
      const target = outputs[e.value - 1];
      if (target === undefined) throw new ChronosError(
        'INVALID_ARGUMENT',
        `Position ${e.value} is not in the select list (1 to ${outputs.length})`,
      );
      return target.expr;
    }
    if (e.kind === 'column' && e.table === null && !scope.columns.some((c) => c.name === e.name)) {
      const target = outputs.find((o) => o.name === e.name);
      if (target !== undefined) return target.expr;
    }
    return e;
  };
  const groupBy = s.groupBy.map(aliasExpr);
  const aggregates: Extract<Expr, { kind: 'aggregate' }>[] = [];
  for (const o of outputs) collectAggregates(o.expr, aggregates);
  if (s.having !== null) collectAggregates(s.having, aggregates);
  for (const o of s.orderBy) collectAggregates(o.expr, aggregates);
  const grouped = groupBy.length > 0 || aggregates.length > 0;
  for (const g of groupBy) {
    if (hasAggregate(g)) throw new ChronosError(
      'INVALID_ARGUMENT',
      `Aggregates are not allowed in GROUP BY: ${printExpr(g)}`,
    );
  }
  if (!grouped && s.having !== null) throw new ChronosError(
    'INVALID_ARGUMENT',
    'HAVING needs GROUP BY or an aggregate',
  );

  // Contexts for expressions evaluated on output rows.
  let outCtx: CompileContext = base;
  let groupEvals: Evaluator[] = [];
  const aggSpecs: AggregateSpec[] = [];
  if (grouped) {
    const slots = new Map<string, { slot: number; type: SqlType | null }>();
    groupEvals = groupBy.map((g, i) => {
      const c = compileExpr(g, { ...base, aggregatesRefused: 'in GROUP BY' });
      slots.set(resolvedKey(g, scope), { slot: i, type: c.type });
      return c.evaluate;
    });
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
      aggSpecs.push({
        key,
        arg: arg?.evaluate ?? null,
        table,
        by: a.by === null ? null : compileExpr(a.by, { ...base, aggregatesRefused: 'inside an aggregate' }).evaluate,
        make: accumulatorFactory(a.name, arg?.type ?? null, a.distinct, nowMs),
      });
    }
    outCtx = { scope, nowMs, slotOf: (e) => slots.get(resolvedKey(e, scope)) };
  }
  const having = s.having === null ? null : compileExpr(s.having, outCtx).evaluate;
  // Window functions run over the rows that pass WHERE, GROUP BY and HAVING; their values are
  // appended to each row, where the select list and ORDER BY read them.
  const windowExprs = windowsOf(s);
  const windows = windowExprs.length === 0 ? null
    : new WindowStep(windowExprs, outCtx, grouped ? groupEvals.length + aggSpecs.length : scope.width, nowMs);
  if (windows !== null) outCtx = { ...outCtx, windowSlotOf: (e) => windows.slotOf(e) };
  const items = outputs.map((o) => compileExpr(o.expr, outCtx));
  // ORDER BY: an output position, an output name, or an expression (a hidden sort key).
  const sortKeys = s.orderBy.map((o) => {
    const e = o.expr;
    if (e.kind === 'literal' && e.type === 'INT' && typeof e.value === 'number') {
      if (outputs[e.value - 1] === undefined) throw new ChronosError(
        'INVALID_ARGUMENT',
        `ORDER BY position ${e.value} is not in the select list (1 to ${outputs.length})`,
      );
      return { output: e.value - 1, evaluate: null, descending: o.descending, nullsFirst: o.nullsFirst };
    }
    if (e.kind === 'column' && e.table === null) {
      const idx = outputs.findIndex((out) => out.name === e.name);
      if (idx >= 0) return { output: idx, evaluate: null, descending: o.descending, nullsFirst: o.nullsFirst };
    }
    if (s.distinct) throw new ChronosError(
      'INVALID_ARGUMENT',
      `With SELECT DISTINCT, ORDER BY ${printExpr(e)} must appear in the select list`,
    );
    return { output: -1, evaluate: compileExpr(e, outCtx).evaluate, descending: o.descending,
      nullsFirst: o.nullsFirst };
  });
  const limit = nonNegativeInt(s.limit, 'LIMIT', nowMs);
  const offset = nonNegativeInt(s.offset, 'OFFSET', nowMs) ?? 0;
  // Rows read in primary-key order (forwards or backwards) may already be in ORDER BY's order:
  // then nothing is sorted and a LIMIT stops the scan early.
  const scanOrder = grouped || s.distinct || windows !== null ? null : scanOrderFor(s, plan,
    sortKeys.map((k, i) => (k.output >= 0 ? (outputs[k.output] as Output).expr : aliasExpr(s.orderBy[i]?.expr as Expr))),
    sortKeys.map((k) => k.descending));
  const needsAll = limit === null || (sortKeys.length > 0 && scanOrder === null) || s.distinct || grouped || windows !== null;
  const wanted = needsAll ? Infinity : (limit ?? 0) + offset;

  const produced: { out: SqlValue[]; keys: SqlValue[] }[] = [];
  const windowed: Row[] = [];
  const emit = (row: Row): void => {
    if (having !== null && having(row) !== true) return;
    if (windows !== null) {
      windowed.push(row);
      return;
    }
    project(row);
  };
  const project = (row: Row): void => {
    const out = items.map((i) => i.evaluate(row));
    const keys = sortKeys.map((k) =>
      k.evaluate === null ? (out[k.output] as SqlValue) : k.evaluate(row),
    );
    produced.push({ out, keys });
  };
  if (grouped) {
    const aggregator = new GroupAggregator(groupEvals, aggSpecs, where);
    const columns = columnScanOf(s, plan, [...(s.where === null ? [] : [s.where]), ...groupBy], aggregates);
    if (columns !== null) {
      for await (const batch of reader.scanColumns(columns.table, columns.positions, columns.range, columns.presenceOnly)) {
        aggregator.addColumns(batch, columns.positions, scope.width);
        guard.holding(aggregator.groupCount, 'GROUP BY');
        if (guard.step(batch.length)) await guard.pause();
      }
    } else {
      for await (const batch of joinedRows(s, plan, reader, nowMs, guard)) {
        aggregator.addBatch(batch.rows, batch.times, batch.width);
        guard.holding(aggregator.groupCount, 'GROUP BY');
        if (guard.step(batch.rows.length)) await guard.pause();
      }
    }
    for (const row of aggregator.results()) emit(row);
  } else {
    outer: for await (const batch of joinedRows(s, plan, reader, nowMs, guard, scanOrder === 'reverse')) {
      for (const row of batch.rows) {
        if (guard.step()) await guard.pause();
        if (where !== null && where(row) !== true) continue;
        emit(row);
        if (produced.length >= wanted) break outer;
      }
      if (needsAll) guard.holding(produced.length + windowed.length, 'the result (kept whole for ORDER BY, DISTINCT or no LIMIT)');
    }
  }
  if (windows !== null) {
    guard.holding(windowed.length, 'the rows of a window function');
    for (const row of await windows.apply(windowed, guard)) project(row);
  }
  let rows = produced;
  if (s.distinct) {
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const key = r.out.map((v) => `${typeof v}:${String(v)}`).join('\u0000');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (sortKeys.length > 0 && scanOrder === null) {
    rows.sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const c = compareSortKey(a.keys[i] ?? null, b.keys[i] ?? null, sortKeys[i] as SortOrder);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  const sliced = rows.slice(offset, limit === null ? undefined : offset + limit);
  return {
    kind: 'rows',
    columns: outputs.map((o) => o.name),
    columnTypes: items.map((i) => i.type),
    rows: sliced.map((r) => r.out),
  };
}
