import { ChronosError } from '../lib/index.js';
import type { StorageReader } from '../storage/engine.js';
import type { Row, SqlType, SqlValue } from '../storage/values.js';
import type { AggregateName, Expr, SelectStatement } from './ast.js';
import { accumulatorFactory, aggregateType, type Accumulator } from './aggregate.js';
import { compileExpr, type CompileContext, type Evaluator } from './compile.js';
import { chooseAccessPath, scanPath, type AccessPath } from './plan.js';
import { printExpr } from './print.js';
import type { RowsResult } from './result.js';
import { Scope } from './scope.js';
import { compareForSort } from './value-ops.js';


interface Output {
  readonly name: string;
  readonly expr: Expr;
}

/** Replace columns by their slots so `t.a` and `a` give one key. */
function resolvedKey(expr: Expr, scope: Scope): string {
  const map = (e: Expr): Expr => {
    switch (e.kind) {
      case 'column': {
        const c = scope.resolve(e.table, e.name);
        return { kind: 'column', table: null, name: `#${c.slot}` };
      }
      case 'unary': return { ...e, operand: map(e.operand) };
      case 'binary': return { ...e, left: map(e.left), right: map(e.right) };
      case 'isNull': return { ...e, operand: map(e.operand) };
      case 'in': return { ...e, operand: map(e.operand), list: e.list.map(map) };
      case 'between': return { ...e, operand: map(e.operand), low: map(e.low), high: map(e.high) };
      case 'like': return { ...e, operand: map(e.operand), pattern: map(e.pattern) };
      case 'call': return { ...e, args: e.args.map(map) };
      case 'aggregate': return { ...e, arg: e.arg === null ? null : map(e.arg) };
      default: return e;
    }
  };
  return printExpr(map(expr));
}

function collectAggregates(expr: Expr, out: Extract<Expr, { kind: 'aggregate' }>[]): void {
  switch (expr.kind) {
    case 'aggregate':
      if (expr.arg !== null && hasAggregate(expr.arg)) {
        throw new ChronosError('INVALID_ARGUMENT', `Aggregate calls cannot be nested: ${printExpr(expr)}`);
      }
      out.push(expr);
      return;
    case 'unary': case 'isNull': collectAggregates(expr.operand, out); return;
    case 'binary': collectAggregates(expr.left, out); collectAggregates(expr.right, out); return;
    case 'in': collectAggregates(expr.operand, out); expr.list.forEach((e) => collectAggregates(e, out)); return;
    case 'between': [expr.operand, expr.low, expr.high].forEach((e) => collectAggregates(e, out)); return;
    case 'like': collectAggregates(expr.operand, out); collectAggregates(expr.pattern, out); return;
    case 'call': expr.args.forEach((e) => collectAggregates(e, out)); return;
    default: return;
  }
}

function hasAggregate(expr: Expr): boolean {
  const out: Extract<Expr, { kind: 'aggregate' }>[] = [];
  collectAggregates(expr, out);
  return out.length > 0;
}

function nonNegativeInt(expr: Expr | null, what: string, nowMs: number): number | null {
  if (expr === null) return null;
  const c = compileExpr(expr, { scope: null, nowMs });
  const v = c.evaluate([]);
  if (v === null) return null;
  if (c.type !== 'INT' || (typeof v === 'number' && v < 0) || (typeof v === 'bigint' && v < 0n)) {
    throw new ChronosError('INVALID_ARGUMENT', `${what} must be a non-negative integer, got ${String(v)}`);
  }
  return Number(v);
}

/** The planned shape of a SELECT over the catalog: scope, access path and outputs. */
export interface SelectPlan {
  readonly scope: Scope;
  readonly path: AccessPath | null;
}

function buildScope(s: SelectStatement, reader: StorageReader): Scope {
  const scope = new Scope();
  if (s.from === null) {
    if (s.joins.length > 0) throw new ChronosError('UNSUPPORTED', 'Unsupported: JOIN without FROM');
    return scope;
  }
  const tableOf = (name: string) => {
    const t = reader.catalog.table(name);
    if (t === undefined) throw new ChronosError('UNKNOWN_TABLE', `Unknown table ${name}`, { details: { table: name } });
    return t;
  };
  scope.addTable(tableOf(s.from.table), s.from.alias);
  for (const j of s.joins) {
    const schema = tableOf(j.table.table);
    const using = new Set(j.using ?? []);
    for (const col of using) {
      scope.resolve(null, col);
      if (!schema.columns.some((c) => c.name === col)) {
        throw new ChronosError('UNKNOWN_COLUMN', `Unknown column ${col} in table ${schema.name} (JOIN USING)`);
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
  const path = first === undefined ? null : chooseAccessPath(first.schema, first.qualifier, s.where, nowMs);
  return { scope, path };
}

/** Rows of FROM/JOIN, joined (inner, hash join on USING, nested loop on ON). */
async function* joinedRows(s: SelectStatement, plan: SelectPlan, reader: StorageReader, nowMs: number): AsyncIterable<{ rows: readonly Row[]; times: readonly number[][] }> {
  if (plan.path === null) {
    yield { rows: [[]], times: [[nowMs]] };
    return;
  }
  if (s.joins.length === 0) {
    for await (const batch of scanPath(reader, plan.path)) {
      yield { rows: batch.map((r) => r.values), times: batch.map((r) => [r.insertedAtMs]) };
    }
    return;
  }
  // Materialise the right-hand tables once; the left side streams.
  const rights: { rows: Row[]; times: number[] }[] = [];
  for (const j of s.joins) {
    const rows: Row[] = [];
    const times: number[] = [];
    for await (const batch of reader.scan(j.table.table)) {
      for (const r of batch) {
        rows.push(r.values);
        times.push(r.insertedAtMs);
      }
    }
    rights.push({ rows, times });
  }
  const conditions: (Evaluator | null)[] = [];
  const partial = new Scope();
  partial.addTable(plan.scope.tables[0]?.schema as never, plan.scope.tables[0]?.qualifier ?? null);
  s.joins.forEach((j, i) => {
    const schema = plan.scope.tables[i + 1]?.schema;
    const qualifier = plan.scope.tables[i + 1]?.qualifier ?? null;
    partial.addTable(schema as never, qualifier, new Set(j.using ?? []));
    let cond: Expr | null = j.on;
    for (const col of j.using ?? []) {
      const eq: Expr = {
        kind: 'binary', op: '=',
        left: { kind: 'column', table: null, name: col },
        right: { kind: 'column', table: qualifier, name: col },
      };
      cond = cond === null ? eq : { kind: 'binary', op: 'AND', left: cond, right: eq };
    }
    conditions.push(cond === null ? null : compileExpr(cond, { scope: partial, nowMs, aggregatesRefused: 'in JOIN' }).evaluate);
  });
  for await (const batch of scanPath(reader, plan.path)) {
    const outRows: Row[] = [];
    const outTimes: number[][] = [];
    let current: { row: Row; times: number[] }[] = batch.map((r) => ({ row: r.values, times: [r.insertedAtMs] }));
    rights.forEach((right, i) => {
      const cond = conditions[i] ?? null;
      const next: { row: Row; times: number[] }[] = [];
      for (const left of current) {
        for (let k = 0; k < right.rows.length; k++) {
          const row = left.row.concat(right.rows[k] as Row);
          if (cond === null || cond(row) === true) next.push({ row, times: [...left.times, right.times[k] as number] });
        }
      }
      current = next;
    });
    for (const c of current) {
      outRows.push(c.row);
      outTimes.push(c.times);
    }
    yield { rows: outRows, times: outTimes };
  }
}

/** Run a SELECT against a reader (a snapshot or a write transaction). */
export async function executeSelect(s: SelectStatement, reader: StorageReader, nowMs: number): Promise<RowsResult> {
  const plan = planSelect(s, reader, nowMs);
  const scope = plan.scope;
  const outputs: Output[] = [];
  for (const item of s.items) {
    if (item.kind === 'expr') {
      outputs.push({ name: item.name, expr: item.expr });
      continue;
    }
    if (scope.tables.length === 0) throw new ChronosError('INVALID_ARGUMENT', 'SELECT * needs a FROM clause');
    if (item.table !== null) scope.resolve(item.table, scope.columns.find((c) => c.qualifier === item.table || c.table === item.table)?.name ?? '*');
    for (const c of scope.columns) {
      if (item.table === null ? c.merged : c.qualifier !== item.table && c.table !== item.table) continue;
      outputs.push({ name: c.name, expr: { kind: 'column', table: c.qualifier, name: c.name } });
    }
  }
  const base: CompileContext = { scope, nowMs };
  const where = s.where === null ? null : compileExpr(s.where, { ...base, aggregatesRefused: 'in WHERE' }).evaluate;
  const aliasExpr = (e: Expr): Expr => {
    if (e.kind === 'literal' && e.type === 'INT' && typeof e.value === 'number') {
      const target = outputs[e.value - 1];
      if (target === undefined) throw new ChronosError('INVALID_ARGUMENT', `Position ${e.value} is not in the select list (1 to ${outputs.length})`);
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
    if (hasAggregate(g)) throw new ChronosError('INVALID_ARGUMENT', `Aggregates are not allowed in GROUP BY: ${printExpr(g)}`);
  }
  if (!grouped && s.having !== null) throw new ChronosError('INVALID_ARGUMENT', 'HAVING needs GROUP BY or an aggregate');

  // Contexts for expressions evaluated on output rows.
  let outCtx: CompileContext = base;
  let groupEvals: Evaluator[] = [];
  let aggSpecs: { key: string; arg: Evaluator | null; table: number; make: () => Accumulator }[] = [];
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
      const arg = a.arg === null ? null : compileExpr(a.arg, { ...base, aggregatesRefused: 'inside an aggregate' });
      const type = aggregateType(a.name as AggregateName, arg?.type ?? null);
      let table = 0;
      if (a.arg !== null && a.arg.kind === 'column') table = scope.resolve(a.arg.table, a.arg.name).tableIndex;
      slots.set(key, { slot: groupEvals.length + aggSpecs.length, type });
      aggSpecs.push({ key, arg: arg?.evaluate ?? null, table, make: accumulatorFactory(a.name, arg?.type ?? null, a.distinct, nowMs) });
    }
    outCtx = { scope, nowMs, slotOf: (e) => slots.get(resolvedKey(e, scope)) };
  }
  const items = outputs.map((o) => compileExpr(o.expr, outCtx));
  const having = s.having === null ? null : compileExpr(s.having, outCtx).evaluate;
  // ORDER BY: an output position, an output name, or an expression (a hidden sort key).
  const sortKeys = s.orderBy.map((o) => {
    const e = o.expr;
    if (e.kind === 'literal' && e.type === 'INT' && typeof e.value === 'number') {
      if (outputs[e.value - 1] === undefined) throw new ChronosError('INVALID_ARGUMENT', `ORDER BY position ${e.value} is not in the select list (1 to ${outputs.length})`);
      return { output: e.value - 1, evaluate: null, descending: o.descending };
    }
    if (e.kind === 'column' && e.table === null) {
      const idx = outputs.findIndex((out) => out.name === e.name);
      if (idx >= 0) return { output: idx, evaluate: null, descending: o.descending };
    }
    if (s.distinct) throw new ChronosError('INVALID_ARGUMENT', `With SELECT DISTINCT, ORDER BY ${printExpr(e)} must appear in the select list`);
    return { output: -1, evaluate: compileExpr(e, outCtx).evaluate, descending: o.descending };
  });
  const limit = nonNegativeInt(s.limit, 'LIMIT', nowMs);
  const offset = nonNegativeInt(s.offset, 'OFFSET', nowMs) ?? 0;
  const wanted = limit === null || sortKeys.length > 0 || s.distinct || grouped ? Infinity : limit + offset;

  const produced: { out: SqlValue[]; keys: SqlValue[] }[] = [];
  const emit = (row: Row): void => {
    if (having !== null && having(row) !== true) return;
    const out = items.map((i) => i.evaluate(row));
    const keys = sortKeys.map((k) => (k.evaluate === null ? (out[k.output] as SqlValue) : k.evaluate(row)));
    produced.push({ out, keys });
  };
  if (grouped) {
    const groups = new Map<unknown, { keys: SqlValue[]; accs: Accumulator[] }>();
    const single = groupEvals.length === 1 ? (groupEvals[0] as Evaluator) : null;
    for await (const batch of joinedRows(s, plan, reader, nowMs)) {
      for (let r = 0; r < batch.rows.length; r++) {
        const row = batch.rows[r] as Row;
        if (where !== null && where(row) !== true) continue;
        let mapKey: unknown;
        let keys: SqlValue[] | null = null;
        if (single !== null) mapKey = single(row);
        else {
          keys = groupEvals.map((g) => g(row));
          mapKey = keys.map((k) => `${typeof k}:${String(k)}`).join('\u0000');
        }
        let group = groups.get(mapKey);
        if (group === undefined) {
          group = { keys: keys ?? [mapKey as SqlValue], accs: aggSpecs.map((a) => a.make()) };
          groups.set(mapKey, group);
        }
        const times = batch.times[r] as readonly number[];
        for (let a = 0; a < aggSpecs.length; a++) {
          const spec = aggSpecs[a] as (typeof aggSpecs)[number];
          (group.accs[a] as Accumulator).add(spec.arg === null ? 1 : spec.arg(row), times[spec.table] as number);
        }
      }
    }
    if (groups.size === 0 && groupEvals.length === 0) groups.set(null, { keys: [], accs: aggSpecs.map((a) => a.make()) });
    for (const g of groups.values()) emit([...g.keys, ...g.accs.map((a) => a.result())]);
  } else {
    outer: for await (const batch of joinedRows(s, plan, reader, nowMs)) {
      for (const row of batch.rows) {
        if (where !== null && where(row) !== true) continue;
        emit(row);
        if (produced.length >= wanted) break outer;
      }
    }
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
  if (sortKeys.length > 0) {
    rows.sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const c = compareForSort(a.keys[i] ?? null, b.keys[i] ?? null);
        if (c !== 0) return (sortKeys[i] as { descending: boolean }).descending ? -c : c;
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
