import type { ColumnSchema, SqlValue } from '../storage/index.js';
import type { Expr, SelectStatement } from './ast.js';
import type { SelectPlan } from './plan.js';
import { compareValues } from './value-ops.js';

/** Which way to read the table so rows already come in ORDER BY's order. */
export type ScanOrder = 'forward' | 'reverse';

/**
 * Whether reading the plan's primary-key path forwards or backwards yields the rows in the
 * order of `orderBy` (the ORDER BY expressions, aliases resolved, in `descending` directions,
 * one direction for the columns the range does not fix): they must be primary-key columns in key order, after the key columns the range
 * fixes to one value. Only INT and STRING columns, whose key order is the SQL order; null
 * where a sort is needed. Then `ORDER BY ts DESC LIMIT 100` reads 100 rows from the end.
 */
export function scanOrderFor(s: SelectStatement, plan: SelectPlan, orderBy: readonly Expr[], descending: readonly boolean[]): ScanOrder | null {
  const path = plan.path;
  const table = plan.scope.tables[0];
  if (orderBy.length === 0 || s.joins.length > 0 || table === undefined || path === null) return null;
  if (path.kind !== 'full-scan' && path.kind !== 'pk-range') return null;
  const key = table.schema.primaryKey;
  let next = path.kind === 'pk-range' ? fixedKeyColumns(path.range.lower?.values, path.range.upper?.values) : 0;
  let direction: boolean | null = null;
  for (const [i, e] of orderBy.entries()) {
    if (e.kind !== 'column') return null;
    const slot = plan.scope.resolve(e.table, e.name).slot;
    // A column the range fixes may be named anywhere, either way: it does not change the order.
    if (key.indexOf(slot) >= 0 && key.indexOf(slot) < next) continue;
    if (key[next] !== slot || (direction !== null && direction !== descending[i])) return null;
    const type = (table.schema.columns[slot] as ColumnSchema).type;
    if (type !== 'INT' && type !== 'STRING') return null;
    direction = descending[i] === true;
    next++;
  }
  return direction === true ? 'reverse' : 'forward';
}

/** How many leading key columns both bounds hold the same value for (an equality on them). */
function fixedKeyColumns(lower: readonly SqlValue[] | undefined, upper: readonly SqlValue[] | undefined): number {
  if (lower === undefined || upper === undefined) return 0;
  let fixed = 0;
  while (fixed < lower.length && fixed < upper.length) {
    const a = lower[fixed];
    const b = upper[fixed];
    if (a === null || b === null || a === undefined || b === undefined || compareValues(a, b) !== 0) break;
    fixed++;
  }
  return fixed;
}
