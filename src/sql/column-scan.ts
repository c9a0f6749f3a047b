import type { KeyRange } from '../storage/engine.js';
import type { Expr, SelectStatement } from './ast.js';
import { eachChild } from './expr-depth.js';
import type { SelectPlan } from './plan.js';

/** How a grouped query reads a columnar table as column batches: which table, columns and key range. */
export interface ColumnScan {
  readonly table: string;
  /** Slots (= column positions, one table) the WHERE, GROUP BY and aggregate arguments read. */
  readonly positions: readonly number[];
  readonly range: KeyRange | undefined;
}

/**
 * The column scan for a grouped query over one columnar table read whole or by a primary-key
 * range, given the expressions evaluated per source row; null where rows must be read.
 */
export function columnScanOf(s: SelectStatement, plan: SelectPlan, perRow: readonly Expr[]): ColumnScan | null {
  const path = plan.path;
  if (s.joins.length > 0 || path === null || (path.kind !== 'full-scan' && path.kind !== 'pk-range')) return null;
  if (plan.scope.tables.length !== 1 || plan.scope.tables[0]?.schema.layout !== 'columnar') return null;
  const slots = new Set<number>();
  const visit = (e: Expr): void => {
    if (e.kind === 'column') slots.add(plan.scope.resolve(e.table, e.name).slot);
    else eachChild(e, visit);
  };
  for (const e of perRow) visit(e);
  return {
    table: path.table,
    positions: [...slots].sort((a, b) => a - b),
    range: path.kind === 'pk-range' ? path.range : undefined,
  };
}
