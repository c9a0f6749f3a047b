import type { KeyRange } from '../storage/index.js';
import type { Expr, SelectStatement } from './ast.js';
import { eachChild } from './expr-depth.js';
import type { SelectPlan } from './plan.js';

/** How a grouped query reads a columnar table as column batches: which table, columns and key range. */
export interface ColumnScan {
  readonly table: string;
  /** Slots (= column positions, one table) the WHERE, GROUP BY and aggregate arguments read. */
  readonly positions: readonly number[];
  /** Of those, the columns only COUNT(col) reads: whether each value is NULL is all it needs. */
  readonly presenceOnly: readonly number[];
  readonly range: KeyRange | undefined;
}

type Aggregate = Extract<Expr, { kind: 'aggregate' }>;

/**
 * The column scan for a grouped query over one columnar table read whole or by a primary-key
 * range (`perRow`: WHERE and GROUP BY, evaluated per source row); null where rows must be read.
 */
export function columnScanOf(s: SelectStatement, plan: SelectPlan, perRow: readonly Expr[],
  aggregates: readonly Aggregate[]): ColumnScan | null {
  const path = plan.path;
  if (s.joins.length > 0 || path === null || (path.kind !== 'full-scan' && path.kind !== 'pk-range')) return null;
  if (plan.scope.tables.length !== 1 || plan.scope.tables[0]?.schema.layout !== 'columnar') return null;
  const full = new Set<number>();
  const counted = new Set<number>();
  const slotOf = (e: Extract<Expr, { kind: 'column' }>): number => plan.scope.resolve(e.table, e.name).slot;
  const visit = (e: Expr): void => {
    if (e.kind === 'column') full.add(slotOf(e));
    else eachChild(e, visit);
  };
  for (const e of perRow) visit(e);
  for (const a of aggregates) {
    if (a.name === 'count' && !a.distinct && a.arg?.kind === 'column') counted.add(slotOf(a.arg));
    else for (const e of [a.arg, a.second, ...a.orderBy.map((o) => o.expr)]) if (e !== null) visit(e);
    if (a.filter !== null) visit(a.filter);
  }
  const positions = [...new Set([...full, ...counted])].sort((a, b) => a - b);
  return {
    table: path.table,
    positions,
    presenceOnly: positions.filter((p) => !full.has(p)),
    range: path.kind === 'pk-range' ? path.range : undefined,
  };
}
