import type { Catalog } from '../storage/index.js';
import type { Join, SelectStatement, TableRef } from './ast.js';

/**
 * The statement with each NATURAL join read as `USING` the column names it shares with the
 * tables before it, in their order (PostgreSQL's); with none shared it is a cross join. A name
 * two tables before it share is then ambiguous, as USING reports. Unknown tables are left for
 * the planner to name.
 */
export function withNaturalJoins(s: SelectStatement, catalog: Catalog): SelectStatement {
  if (!s.joins.some((j) => j.natural === true)) return s;
  const columnsOf = (ref: TableRef): string[] => catalog.table(ref.table)?.columns.filter((c) => c.hidden !== true).map((c) => c.name) ?? [];
  const visible: string[] = s.from === null ? [] : columnsOf(s.from);
  const joins = s.joins.map((j): Join => {
    const columns = columnsOf(j.table);
    const shared = j.natural === true ? [...new Set(visible)].filter((name) => columns.includes(name)) : j.using ?? [];
    for (const name of columns) if (!shared.includes(name)) visible.push(name);
    return j.natural === true ? { ...j, using: shared.length > 0 ? shared : null } : j;
  });
  return { ...s, joins };
}
