import type { StorageReader, Row, SqlValue, TableSchema } from '../storage/index.js';
import type { Expr, SelectStatement } from './ast.js';
import { assert } from '../lib/index.js';
import { compileExpr, type Evaluator } from './compile.js';
import { scanPath } from './plan.js';
import { Scope } from './scope.js';
import type { StatementGuard } from './statement-guard.js';
import type { SelectPlan } from './plan.js';

/** Joined rows; `times[r * width + table]`: when row r's part from `table` was inserted. */
export interface JoinedBatch {
  readonly rows: readonly Row[];
  readonly times: readonly number[];
  readonly width: number;
}

/** Rows of FROM/JOIN (inner and LEFT joins): the first table streams, the others are held in memory. */
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
  // Materialise the right-hand tables once; the left side streams.
  const rights = await heldTables(s, reader, guard);
  const { conditions, hashes } = compileJoins(s, plan, rights, nowMs);
  for await (const batch of scanPath(reader, plan.path)) {
    const outRows: Row[] = [];
    const outTimes: number[] = [];
    let current: PartialRow[] = batch.map((r) => ({
      row: r.values,
      times: [r.insertedAtMs],
    }));
    for (let i = 0; i < rights.length; i++) {
      const outer = s.joins[i]?.outer === 'left' ? plan.scope.tables[i + 1]?.schema.columns.length ?? 0 : null;
      current = await joinOne(current, rights[i]!, conditions[i] ?? null, hashes[i] ?? null, guard, outer);
    }
    for (const c of current) {
      outRows.push(c.row);
      outTimes.push(...c.times);
    }
    yield { rows: outRows, times: outTimes, width: s.joins.length + 1 };
  }
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
      }
      guard.holding(rows.length, `JOIN ${j.table.table}`);
      if (guard.step(batch.length)) await guard.pause();
    }
    rights.push({ rows, times });
  }
  return rights;
}

/**
 * Each join's condition (ON, plus an equality per USING column) compiled over the tables
 * joined so far, and a hash index on the USING columns where there are any.
 */
function compileJoins(
  s: SelectStatement, plan: SelectPlan, rights: readonly HeldTable[], nowMs: number,
): { readonly conditions: (Evaluator | null)[]; readonly hashes: (HashIndex | null)[] } {
  const conditions: (Evaluator | null)[] = [];
  const hashes: (HashIndex | null)[] = [];
  const partial = new Scope();
  const base = plan.scope.tables[0];
  assert(base !== undefined, 'a join has a first table');
  partial.addTable(base.schema, base.qualifier);
  s.joins.forEach((j, i) => {
    const table = plan.scope.tables[i + 1];
    assert(table !== undefined, 'every joined table is in the scope');
    const using = j.using ?? [];
    hashes.push(hashIndex(using, partial, table.schema, rights[i]?.rows ?? []));
    partial.addTable(table.schema, table.qualifier, new Set(using));
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
    conditions.push(cond === null ? null : compileExpr(cond, ctx).evaluate);
  });
  return { conditions, hashes };
}

const NO_ROWS: readonly number[] = [];

type PartialRow = { row: Row; times: number[] };

/**
 * Joins the left rows so far with one held table, yielding between slices of work. With
 * `outerWidth` (a LEFT JOIN: the joined table's column count) a left row that matched nothing
 * is kept once with those columns NULL.
 */
async function joinOne(
  current: readonly PartialRow[],
  right: { rows: Row[]; times: number[] },
  cond: Evaluator | null,
  hash: HashIndex | null,
  guard: StatementGuard,
  outerWidth: number | null,
): Promise<PartialRow[]> {
  const next: PartialRow[] = [];
  for (const left of current) {
    const before = next.length;
    // With a hash only the rows sharing the USING values are tried; else every row.
    const candidates = hash === null ? null : (hash.index.get(hashKey(left.row, hash.leftSlots)) ?? NO_ROWS);
    const n = candidates === null ? right.rows.length : candidates.length;
    for (let c = 0; c < n; c++) {
      if (guard.step()) {
        await guard.pause();
        guard.holding(next.length, 'JOIN');
      }
      const k = candidates === null ? c : (candidates[c] as number);
      const row = left.row.concat(right.rows[k] as Row);
      if (cond === null || cond(row) === true) next.push({ row, times: [...left.times, right.times[k] as number] });
    }
    if (outerWidth !== null && next.length === before) {
      // The NULL part has no insert time of its own: the left row's stands in (avg_1h of a NULL is NULL anyway).
      next.push({ row: left.row.concat(new Array<SqlValue>(outerWidth).fill(null)), times: [...left.times, left.times[0] ?? 0] });
    }
  }
  guard.holding(next.length, 'JOIN');
  return next;
}

/** Rows of a joined table by their USING columns: candidates for a left row in O(1). */
interface HashIndex {
  readonly leftSlots: readonly number[];
  readonly index: Map<unknown, number[]>;
}

function hashKey(row: Row, slots: readonly number[]): unknown {
  if (slots.length === 1) return row[slots[0] as number] ?? null;
  return slots.map((slot) => {
    const v: SqlValue = row[slot] ?? null;
    return `${typeof v}:${String(v)}`;
  }).join('\u0000');
}

/**
 * A hash of the right table on its USING columns, or null (nested loop) when there are none
 * or a pair of columns differs in type (INT 2^60 and FLOAT 2^60 are equal but hash apart).
 */
function hashIndex(
  using: readonly string[],
  left: Scope,
  right: TableSchema,
  rows: readonly Row[],
): HashIndex | null {
  if (using.length === 0) return null;
  const leftSlots: number[] = [];
  const rightSlots: number[] = [];
  for (const name of using) {
    const l = left.resolve(null, name);
    const r = right.columns.findIndex((c) => c.name === name);
    if (r < 0 || right.columns[r]?.type !== l.type) return null;
    leftSlots.push(l.slot);
    rightSlots.push(r);
  }
  const index = new Map<unknown, number[]>();
  rows.forEach((row, k) => {
    // NULL never joins: leave such rows out of the index.
    if (rightSlots.some((slot) => row[slot] === null)) return;
    const key = hashKey(row, rightSlots);
    const list = index.get(key);
    if (list === undefined) index.set(key, [k]);
    else list.push(k);
  });
  return { leftSlots, index };
}
