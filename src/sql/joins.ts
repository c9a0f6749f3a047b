import type { StorageReader, Row, SqlValue, TableSchema } from '../storage/index.js';
import type { Expr, SelectStatement } from './ast.js';
import { appendAll, assert } from '../lib/index.js';
import { compileCondition, compileExpr, type Evaluator } from './compile.js';
import { eachChild } from './expr-depth.js';
import { scanPath } from './plan.js';
import { Scope } from './scope.js';
import type { StatementGuard } from './statement-guard.js';
import type { SelectPlan } from './plan.js';
import { valuesKey } from './values-key.js';

/** Joined rows; `times[r * width + table]`: when row r's part from `table` was inserted. */
export interface JoinedBatch {
  readonly rows: readonly Row[];
  readonly times: readonly number[];
  readonly width: number;
}

/** Rows of FROM/JOIN: the first table streams, the others are held in memory. */
export async function* joinedRows(
  s: SelectStatement,
  plan: SelectPlan,
  reader: StorageReader,
  nowMs: number,
  guard: StatementGuard,
  reverse = false,
): AsyncIterable<JoinedBatch> {
  if (plan.path === null) {
    yield { rows: [[]], times: [nowMs], width: 1 };
    return;
  }
  if (s.joins.length === 0) {
    yield* singleTableRows(reader, plan.path, reverse);
    return;
  }
  const steps = await joinSteps(s, plan, reader, nowMs, guard);
  const width = s.joins.length + 1;
  for await (const batch of scanPath(reader, plan.path)) {
    const first: PartialRow[] = batch.map((r) => ({ row: r.values, times: [r.insertedAtMs] }));
    yield joinedBatch(await joinFrom(first, steps, 0, guard), width);
  }
  // Then, join by join, the RIGHT or FULL join's rows that nothing before them matched.
  const tableWidths = plan.scope.tables.map((t) => t.schema.columns.length);
  for (let i = 0; i < steps.length; i++) {
    for await (const unmatched of unmatchedRows(steps[i] as JoinStep, tableWidths.slice(0, i + 1), guard)) {
      yield joinedBatch(await joinFrom(unmatched, steps, i + 1, guard), width);
    }
  }
}

/** One join as it runs: the held table, its condition and hash, and what its outer kind keeps. */
interface JoinStep {
  readonly right: HeldTable;
  readonly cond: Evaluator | null;
  readonly hash: HashIndex | null;
  /** LEFT and FULL: the joined table's column count, for a left row that matched nothing. */
  readonly outerWidth: number | null;
  /** RIGHT and FULL: which of the held rows some row matched. */
  readonly matched: Uint8Array | null;
}

async function joinSteps(s: SelectStatement, plan: SelectPlan, reader: StorageReader, nowMs: number,
  guard: StatementGuard): Promise<JoinStep[]> {
  // Materialise the right-hand tables once; the left side streams.
  const rights = await heldTables(s, reader, guard);
  const { conditions, keys } = compileJoins(s, plan, nowMs);
  const steps: JoinStep[] = [];
  for (let i = 0; i < rights.length; i++) {
    const right = rights[i] as HeldTable;
    const outer = s.joins[i]?.outer;
    steps.push({
      right,
      cond: conditions[i] ?? null,
      hash: await hashIndex(keys[i] ?? [], right.rows, guard),
      outerWidth: outer === 'left' || outer === 'full' ? plan.scope.tables[i + 1]?.schema.columns.length ?? 0 : null,
      matched: outer === 'right' || outer === 'full' ? new Uint8Array(right.rows.length) : null,
    });
  }
  return steps;
}

/** Partial rows through the joins from `from` on. */
async function joinFrom(rows: PartialRow[], steps: readonly JoinStep[], from: number, guard: StatementGuard): Promise<PartialRow[]> {
  let current = rows;
  for (let i = from; i < steps.length; i++) current = await joinOne(current, steps[i] as JoinStep, guard);
  return current;
}

/** Unmatched rows go on in batches of this many, as the first table's rows do. */
const UNMATCHED_BATCH = 512;

/** A RIGHT/FULL join's held rows no row matched, each after NULLs for the tables before it, a batch at a time. */
async function* unmatchedRows(step: JoinStep, widthsBefore: readonly number[], guard: StatementGuard): AsyncIterable<PartialRow[]> {
  if (step.matched === null) return;
  const nulls = new Array<SqlValue>(widthsBefore.reduce((a, b) => a + b, 0)).fill(null);
  let out: PartialRow[] = [];
  for (let k = 0; k < step.matched.length; k++) {
    if (guard.step()) await guard.pause();
    if (step.matched[k] === 1) continue;
    // The NULL parts have no insert time of their own: the joined row's stands in.
    const time = step.right.times[k] as number;
    out.push({ row: nulls.concat(step.right.rows[k] as Row), times: new Array<number>(widthsBefore.length + 1).fill(time) });
    if (out.length === UNMATCHED_BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function joinedBatch(rows: readonly PartialRow[], width: number): JoinedBatch {
  const outRows: Row[] = [];
  const outTimes: number[] = [];
  for (const c of rows) {
    outRows.push(c.row);
    appendAll(outTimes, c.times);
  }
  return { rows: outRows, times: outTimes, width };
}

/** The rows of one table along its access path, one array per batch. */
async function* singleTableRows(
  reader: StorageReader, path: NonNullable<SelectPlan['path']>, reverse: boolean,
): AsyncIterable<JoinedBatch> {
  // One array per batch, never per row: this loop feeds million-row aggregations.
  for await (const batch of scanPath(reader, path, reverse)) {
    const rows = new Array<Row>(batch.length);
    const times = new Array<number>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const stored = batch[i] as (typeof batch)[number];
      rows[i] = stored.values;
      times[i] = stored.insertedAtMs;
    }
    yield { rows, times, width: 1 };
  }
}

/** A joined table held in memory: its rows and when each was inserted. */
interface HeldTable {
  readonly rows: Row[];
  readonly times: number[];
}

/** Reads every joined (right-hand) table whole, counted against the statement's row cap. */
async function heldTables(s: SelectStatement, reader: StorageReader, guard: StatementGuard): Promise<HeldTable[]> {
  const rights: HeldTable[] = [];
  for (const j of s.joins) {
    const rows: Row[] = [];
    const times: number[] = [];
    for await (const batch of reader.scan(j.table.table)) {
      for (const r of batch) {
        rows.push(r.values);
        times.push(r.insertedAtMs);
        guard.holdingText(r.values, `join fewer rows of ${j.table.table} (a subquery with WHERE) or shorter values`);
      }
      guard.holding(rows.length, `JOIN ${j.table.table}`);
      if (guard.step(batch.length)) await guard.pause();
    }
    rights.push({ rows, times });
  }
  return rights;
}

/** For each join, whether it is a hash join (its condition equates columns across it): EXPLAIN's word for it. */
export function hashedJoins(s: SelectStatement, plan: SelectPlan, nowMs: number): boolean[] {
  return compileJoins(s, plan, nowMs).keys.map((pairs) => pairs.length > 0);
}

/**
 * Each join's condition (ON, plus an equality per USING column) compiled over the tables
 * joined so far, and a hash index on the columns the condition equates across the join (USING
 * columns, and ON's top-level `a.x = b.y` conjuncts) where there are any.
 */
function compileJoins(
  s: SelectStatement, plan: SelectPlan, nowMs: number,
): { readonly conditions: (Evaluator | null)[]; readonly keys: KeyPair[][] } {
  const conditions: (Evaluator | null)[] = [];
  const keys: KeyPair[][] = [];
  const partial = new Scope();
  const base = plan.scope.tables[0];
  assert(base !== undefined, 'a join has a first table');
  partial.addTable(base.schema, base.qualifier);
  s.joins.forEach((j, i) => {
    const table = plan.scope.tables[i + 1];
    assert(table !== undefined, 'every joined table is in the scope');
    const using = j.using ?? [];
    const pairs = usingPairs(using, partial, table.schema);
    partial.addTable(table.schema, table.qualifier, new Set(using));
    appendAll(pairs, onPairs(j.on, partial, i + 1, nowMs));
    keys.push(pairs);
    let cond: Expr | null = j.on;
    for (const col of using) {
      const eq: Expr = {
        kind: 'binary', op: '=',
        left: { kind: 'column', table: null, name: col },
        right: { kind: 'column', table: table.qualifier, name: col },
      };
      cond = cond === null ? eq : { kind: 'binary', op: 'AND', left: cond, right: eq };
    }
    const ctx = { scope: partial, nowMs, aggregatesRefused: 'in JOIN' };
    conditions.push(cond === null ? null : compileCondition(cond, ctx, 'JOIN ON').evaluate);
  });
  return { conditions, keys };
}

const NO_ROWS: readonly number[] = [];

type PartialRow = { row: Row; times: number[] };

/**
 * Joins the left rows so far with one held table, yielding between slices of work. A left row
 * that matched nothing is kept once with the table's columns NULL where the join keeps left
 * rows (LEFT, FULL); the held rows that matched are marked where it keeps those (RIGHT, FULL).
 */
async function joinOne(current: readonly PartialRow[], step: JoinStep, guard: StatementGuard): Promise<PartialRow[]> {
  const { right, cond, hash, outerWidth, matched } = step;
  const next: PartialRow[] = [];
  for (const left of current) {
    const before = next.length;
    // A left row's key may be costly (a function of a long string) and match nothing: each
    // left row is a unit of work too, not only each candidate.
    if (guard.step()) {
      await guard.pause();
      guard.holding(next.length, 'JOIN');
    }
    // With a hash only the rows sharing the key values are tried (and those without a key); else every row.
    const candidates = hash === null ? null : candidatesFor(hash, left.row);
    const n = candidates === null ? right.rows.length : candidates.length;
    for (let c = 0; c < n; c++) {
      if (guard.step()) {
        await guard.pause();
        guard.holding(next.length, 'JOIN');
      }
      const k = candidates === null ? c : (candidates[c] as number);
      const row = left.row.concat(right.rows[k] as Row);
      if (cond !== null && cond(row) !== true) continue;
      next.push({ row, times: [...left.times, right.times[k] as number] });
      if (matched !== null) matched[k] = 1;
    }
    if (outerWidth !== null && next.length === before) {
      // The NULL part has no insert time of its own: the left row's stands in (avg_1h of a NULL is NULL anyway).
      next.push({ row: left.row.concat(new Array<SqlValue>(outerWidth).fill(null)), times: [...left.times, left.times[0] ?? 0] });
    }
  }
  guard.holding(next.length, 'JOIN');
  return next;
}

/** Rows of a joined table by their key values: candidates for a left row in O(1). */
interface HashIndex {
  /** The left row's side of each equality (a column or an expression of the tables joined so far). */
  readonly leftKeys: readonly Evaluator[];
  readonly index: Map<unknown, number[]>;
  /** Rows whose key raised an error: tried with every left row, so the condition raises it as a nested loop would. */
  readonly unkeyed: readonly number[];
}

/**
 * The held rows to try for a left row, in table order; null (every row) when its key raises an
 * error: the whole condition then raises it, or not (`t.b <> 0 AND u.x = 6 / t.b`), as a nested loop would.
 */
function candidatesFor(hash: HashIndex, row: Row): readonly number[] | null {
  let key: unknown;
  try {
    key = keyOf(hash.leftKeys.map((leftKey) => leftKey(row)));
  } catch {
    return null;
  }
  const keyed = hash.index.get(key) ?? NO_ROWS;
  return hash.unkeyed.length === 0 ? keyed : mergeAscending(keyed, hash.unkeyed);
}

/** Two ascending lists of row positions as one (linear: the lists may be long). */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as number) < (b[j] as number))) out.push(a[i++] as number);
    else out.push(b[j++] as number);
  }
  return out;
}

/** The hash key of one row's key values (a single value as itself: INTs are canonical, so 5 is never 5n). */
function keyOf(values: readonly SqlValue[]): unknown {
  if (values.length === 1) return values[0] ?? null;
  return valuesKey(values);
}

/** A value of the tables joined so far equated with a value of the joined table (each a column or an expression). */
interface KeyPair {
  readonly leftKey: Evaluator;
  /** Over the joined table's own row. */
  readonly rightKey: Evaluator;
  /** `IS NOT DISTINCT FROM`: a NULL key matches a NULL key. */
  readonly nullEquals?: boolean;
}

/**
 * USING's columns as key pairs; none when a pair differs in type (INT 2^60 and FLOAT 2^60 are
 * equal but hash apart): the join then tries every row.
 */
function usingPairs(using: readonly string[], left: Scope, right: TableSchema): KeyPair[] {
  const pairs: KeyPair[] = [];
  for (const name of using) {
    const l = left.resolve(null, name);
    const r = right.columns.findIndex((c) => c.name === name);
    if (r < 0 || right.columns[r]?.type !== l.type) return [];
    const slot = l.slot;
    pairs.push({ leftKey: (row) => row[slot] ?? null, rightKey: (row) => row[r] ?? null });
  }
  return pairs;
}

/**
 * ON's top-level AND-ed `x = y` where y reads only the joined table (`tableIndex` in `scope`)
 * and x only the tables joined so far, both of one type: `JOIN u ON u.k = t.k + 1 AND u.w > 3`
 * hashes u on k, `ON a.id = b.id + 1` hashes b on id + 1. The whole condition is still checked
 * on every candidate.
 */
function onPairs(on: Expr | null, scope: Scope, tableIndex: number, nowMs: number): KeyPair[] {
  const own = new Scope();
  const table = scope.tables[tableIndex];
  assert(table !== undefined, 'the joined table is in the scope');
  own.addTable(table.schema, table.qualifier);
  const pairs: KeyPair[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'binary' && e.op === 'AND') {
      visit(e.left);
      visit(e.right);
      return;
    }
    const nullEquals = e.kind === 'isDistinct' && e.negated;
    if (!nullEquals && (e.kind !== 'binary' || e.op !== '=')) return;
    const { left, right } = e as { left: Expr; right: Expr };
    const sides = { scope, own, tableIndex, nowMs };
    const pair = keyPair(left, right, sides) ?? keyPair(right, left, sides);
    if (pair !== null) pairs.push({ ...pair, nullEquals });
  };
  if (on !== null) visit(on);
  return pairs;
}

/** The scopes an ON equality is read in: all tables so far, and the joined one alone. */
interface JoinSides {
  readonly scope: Scope;
  readonly own: Scope;
  readonly tableIndex: number;
  readonly nowMs: number;
}

/** `left = right` as a key pair when right reads only the joined table and left only earlier ones. */
function keyPair(left: Expr, right: Expr, sides: JoinSides): KeyPair | null {
  const { scope, own, tableIndex, nowMs } = sides;
  try {
    if (!readsOnly(left, scope, (t) => t < tableIndex) || !readsOnly(right, scope, (t) => t === tableIndex)) return null;
    const l = compileExpr(left, { scope, nowMs, aggregatesRefused: 'in JOIN' });
    const r = compileExpr(right, { scope: own, nowMs, aggregatesRefused: 'in JOIN' });
    // Equal values of two types may hash apart (INT 2^60 and FLOAT 2^60): those joins try every row.
    return l.type !== null && l.type === r.type ? { leftKey: l.evaluate, rightKey: r.evaluate } : null;
  } catch {
    // Unknown or ambiguous names, or a type error: compiling the whole condition reports it.
    return null;
  }
}

/** True when every column `e` reads belongs to a table `tables` accepts, and it reads one at least. */
function readsOnly(e: Expr, scope: Scope, tables: (tableIndex: number) => boolean): boolean {
  let reads = 0;
  let ok = true;
  const walk = (x: Expr): void => {
    if (x.kind === 'subquery' || x.kind === 'window' || x.kind === 'aggregate' || x.kind === 'param') ok = false;
    if (x.kind === 'column') {
      reads += 1;
      if (!tables(scope.resolve(x.table, x.name).tableIndex)) ok = false;
    }
    eachChild(x, walk);
  };
  walk(e);
  return ok && reads > 0;
}

/**
 * A hash of the joined table's rows on the right columns of `pairs`, or null (nested loop)
 * when there are none; built between slices of the event loop.
 */
async function hashIndex(pairs: readonly KeyPair[], rows: readonly Row[], guard: StatementGuard): Promise<HashIndex | null> {
  if (pairs.length === 0) return null;
  const index = new Map<unknown, number[]>();
  const unkeyed: number[] = [];
  for (let k = 0; k < rows.length; k++) {
    if (guard.step()) await guard.pause();
    const row = rows[k] as Row;
    let values: SqlValue[];
    try {
      values = pairs.map((p) => p.rightKey(row));
    } catch {
      unkeyed.push(k);
      continue;
    }
    // NULL joins nothing under `=`: leave such rows out of the index.
    if (pairs.some((p, i) => p.nullEquals !== true && values[i] === null)) continue;
    const key = keyOf(values);
    const list = index.get(key);
    if (list === undefined) index.set(key, [k]);
    else list.push(k);
  }
  return { leftKeys: pairs.map((p) => p.leftKey), index, unkeyed };
}
