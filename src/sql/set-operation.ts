import { ChronosError } from '../lib/index.js';
import type { StorageReader, Row, SqlType } from '../storage/index.js';
import type { CompoundStatement, QueryTerm } from './ast.js';
import { isPosition } from './ast.js';
import { commonType } from './common-type.js';
import type { StatementResult } from './result.js';
import { executeSelect, nonNegativeInt } from './select.js';
import { StatementGuard } from './statement-guard.js';
import { sortYielding } from './yielding-sort.js';
import { resolveSubqueries } from './subqueries.js';
import { compareSortKey, type SortOrder } from './value-ops.js';
import { valuesKey } from './values-key.js';

interface Rows {
  readonly columns: readonly string[];
  readonly types: readonly (SqlType | null)[];
  readonly rows: readonly Row[];
}

/** Equal rows share a key: NULLs equal each other here, as set operations require. */
function keyOf(row: Row): string {
  return valuesKey(row);
}

async function counts(rows: readonly Row[], guard: StatementGuard): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const r of rows) {
    if (guard.step()) await guard.pause();
    const key = keyOf(r);
    map.set(key, (map.get(key) ?? 0) + 1);
  }
  return map;
}

async function distinct(rows: readonly Row[], guard: StatementGuard): Promise<Row[]> {
  const seen = new Set<string>();
  const kept: Row[] = [];
  for (const r of rows) {
    if (guard.step()) await guard.pause();
    const key = keyOf(r);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(r);
  }
  return kept;
}

/** UNION / INTERSECT / EXCEPT of two row lists, with or without ALL (multiset) semantics; yields between slices. */
async function combine(op: 'UNION' | 'INTERSECT' | 'EXCEPT', all: boolean, left: readonly Row[], right: readonly Row[],
  guard: StatementGuard): Promise<Row[]> {
  if (op === 'UNION') {
    // Each side is capped on its own; their union is held whole too.
    guard.holding(left.length + right.length, `the rows of ${all ? 'UNION ALL' : 'UNION'}`);
    return all ? [...left, ...right] : await distinct([...left, ...right], guard);
  }
  const other = await counts(right, guard);
  const kept: Row[] = [];
  for (const row of all ? left : await distinct(left, guard)) {
    if (guard.step()) await guard.pause();
    const key = keyOf(row);
    const n = other.get(key) ?? 0;
    // INTERSECT keeps a row while the right side still has a match; EXCEPT while it has none.
    if ((op === 'INTERSECT') === n > 0) kept.push(row);
    if (n > 0 && all) other.set(key, n - 1);
  }
  return kept;
}

/** A side's rows with its INT values as doubles where the combined column is FLOAT (so 2^53 meets 2^53.0). */
function asTypes(side: Rows, types: readonly (SqlType | null)[]): readonly Row[] {
  if (!side.types.some((t, i) => t === 'INT' && types[i] === 'FLOAT')) return side.rows;
  return side.rows.map((row) => row.map((v, i) => (types[i] === 'FLOAT' && typeof v === 'bigint' ? Number(v) : v)));
}

async function termRows(term: QueryTerm, reader: StorageReader, nowMs: number, guard: StatementGuard): Promise<Rows> {
  if (term.kind === 'select') {
    const resolved = await resolveSubqueries(term, reader, nowMs);
    const result = await executeSelect(resolved as typeof term, reader, nowMs, guard);
    if (result.kind !== 'rows') throw new ChronosError('INVALID_ARGUMENT', 'SELECT gave no rows');
    return { columns: result.columns, types: result.columnTypes, rows: result.rows };
  }
  const left = await termRows(term.left, reader, nowMs, guard);
  const right = await termRows(term.right, reader, nowMs, guard);
  if (left.columns.length !== right.columns.length) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `Each side of ${term.op} must have the same number of columns (${left.columns.length} and ${right.columns.length})`,
    );
  }
  const types = left.types.map((t, i) => commonType(`${term.op} column ${i + 1}`, [t, right.types[i] ?? null]));
  return { columns: left.columns, types, rows: await combine(term.op, term.all, asTypes(left, types), asTypes(right, types), guard) };
}

/** ORDER BY of a set operation: an output column, by position or name. */
function sortOrders(s: CompoundStatement, columns: readonly string[]): (SortOrder & { index: number })[] {
  return s.orderBy.map((o) => {
    const e = o.expr;
    let index = -1;
    if (isPosition(e)) index = e.value - 1;
    else if (e.kind === 'column' && e.table === null) index = columns.indexOf(e.name);
    if (index < 0 || index >= columns.length) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `ORDER BY of ${s.body.op} must name an output column or position (${columns.join(', ')})`,
      );
    }
    return { index, descending: o.descending, nullsFirst: o.nullsFirst };
  });
}

/** Run `a UNION|INTERSECT|EXCEPT b ...` with its ORDER BY and LIMIT/OFFSET. */
export async function executeCompound(
  s: CompoundStatement, reader: StorageReader, nowMs: number, guard: StatementGuard = new StatementGuard(),
): Promise<StatementResult> {
  const combined = await termRows(s.body, reader, nowMs, guard);
  const orders = sortOrders(s, combined.columns);
  let rows = combined.rows;
  if (orders.length > 0) {
    rows = await sortYielding(rows, (a, b) => {
      for (const o of orders) {
        const c = compareSortKey(a[o.index] ?? null, b[o.index] ?? null, o);
        if (c !== 0) return c;
      }
      return 0;
    }, guard);
  }
  const limit = nonNegativeInt(s.limit, 'LIMIT', nowMs);
  const offset = nonNegativeInt(s.offset, 'OFFSET', nowMs) ?? 0;
  return {
    kind: 'rows', columns: combined.columns, columnTypes: combined.types,
    rows: rows.slice(offset, limit === null ? undefined : offset + limit),
  };
}
