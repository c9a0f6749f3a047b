import type { Expr } from './ast.js';
import type { Scope, ScopeColumn } from './scope.js';

/**
 * The GROUP BY keys, followed by the columns a grouped primary key determines: once every
 * primary-key column of a table of FROM is a key, each group holds one row of that table, so
 * its other columns may be read as they are (PostgreSQL's functional dependency). They become
 * keys too, which splits no group. Derived tables and tables keyed by a hidden row id have no
 * primary key here, so they add nothing.
 */
export function withDependentColumns(groupBy: readonly Expr[], scope: Scope): readonly Expr[] {
  const groupedSlots = new Set<number>();
  for (const key of groupBy) {
    if (key.kind === 'column') groupedSlots.add(scope.resolve(key.table, key.name).slot);
  }
  const dependents: Expr[] = [];
  scope.tables.forEach((table, tableIndex) => {
    const primaryKey = table.schema.primaryKey;
    if (primaryKey.length === 0) return;
    const columns: ScopeColumn[] = scope.columns.filter((c) => c.tableIndex === tableIndex);
    if (!primaryKey.every((position) => groupedSlots.has((columns[position] as ScopeColumn).slot))) return;
    for (const column of columns) {
      if (groupedSlots.has(column.slot) || column.hidden === true) continue;
      dependents.push({ kind: 'column', table: column.qualifier, name: column.name });
    }
  });
  return dependents.length === 0 ? groupBy : [...groupBy, ...dependents];
}
