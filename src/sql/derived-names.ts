import { appendAll } from '../lib/index.js';
import type { Catalog } from '../storage/index.js';
import type { CompoundStatement, QueryTerm, SelectStatement, TableRef } from './ast.js';
import { tablesOfSelect } from './ast.js';

// A derived table's column names before it is answered: what a correlated subquery needs to
// tell its own columns from the outer query's (`EXISTS (SELECT 1 FROM c WHERE q = g)`).

function firstSelect(term: QueryTerm): SelectStatement {
  return term.kind === 'select' ? term : firstSelect(term.left);
}

/** The columns a table of FROM/JOIN has; null when they cannot be told without answering it. */
export function columnNamesOf(ref: TableRef, catalog: Catalog): ReadonlySet<string> | null {
  let names: readonly string[] | null;
  if (ref.series !== undefined) names = [ref.series.column];
  else if (ref.recursive !== undefined) names = queryNames(ref.recursive.anchor, catalog);
  else if (ref.query !== undefined) names = queryNames(ref.query, catalog);
  else names = catalog.table(ref.table)?.columns.filter((c) => c.hidden !== true).map((c) => c.name) ?? [];
  if (names === null) return null;
  const renamed = ref.columnNames ?? [];
  return new Set(names.map((name, i) => renamed[i] ?? name));
}

/** The output names of a query, in order; null where a `*` names a table not known here. */
function queryNames(query: SelectStatement | CompoundStatement, catalog: Catalog): string[] | null {
  const s = query.kind === 'select' ? query : firstSelect(query.body);
  const refs = tablesOfSelect(s);
  const names: string[] = [];
  for (const item of s.items) {
    if (item.kind === 'expr') {
      names.push(item.name.toLowerCase());
      continue;
    }
    for (const ref of refs) {
      if (item.table !== null && (ref.alias ?? ref.table) !== item.table) continue;
      const of = columnNamesOf(ref, catalog);
      if (of === null) return null;
      appendAll(names, of);
    }
  }
  return names;
}
