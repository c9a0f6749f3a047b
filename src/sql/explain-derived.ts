import type { StorageReader } from '../storage/index.js';
import type { CompoundStatement, Expr, SelectStatement } from './ast.js';
import { tablesOfSelect } from './ast.js';
import { lateralReferences, levelOf, type Level } from './correlated.js';
import { DerivedReader, heldTable } from './derived-reader.js';
import { printExpr } from './print.js';
import { StatementGuard } from './statement-guard.js';

// EXPLAIN of a query with derived tables: the outer query is planned over them held with no
// rows (their columns are all planning needs), and each one's own plan is shown beside it.

/** One line of a plan. */
export interface DerivedStep {
  readonly depth: number;
  readonly text: string;
}

/** Explains a query at a depth; `enclosing` set: a LATERAL subquery, shown as written. */
export type QueryExplainer = (query: SelectStatement | CompoundStatement, reader: StorageReader, depth: number,
  enclosing: readonly Level[] | null) => Promise<void>;

function seriesText(args: readonly Expr[]): string {
  return `generate_series(${args.map(printExpr).join(', ')})`;
}

/**
 * The steps of each subquery, generate_series and WITH query in FROM/JOIN of `s` (as written),
 * `planned` being the reader they were held in (a WITH RECURSIVE's columns come from there).
 */
export async function derivedSteps(s: SelectStatement, reader: StorageReader, planned: StorageReader, depth: number,
  out: DerivedStep[], explain: QueryExplainer): Promise<void> {
  const refs = tablesOfSelect(s);
  for (const [i, ref] of refs.entries()) {
    const name = ref.alias ?? ref.table;
    if (ref.series !== undefined) {
      out.push({ depth, text: `Derived table ${name}: ${seriesText(ref.series.args)}` });
    } else if (ref.recursive !== undefined) {
      const q = ref.recursive;
      out.push({ depth, text: `Derived table ${name}: WITH RECURSIVE ${q.name}, the first part, then the recursive part until a round makes no rows` });
      out.push({ depth: depth + 1, text: 'First part' });
      await explain(q.anchor, reader, depth + 2, null);
      out.push({ depth: depth + 1, text: `Recursive part, over the rows of the round before (${q.working})` });
      const columns = planned.catalog.table(`${ref.table} (recursive)`)?.columns ?? [];
      const working = await heldTable(q.working, -1, [...columns], [], 0, new StatementGuard());
      await explain(q.step, new DerivedReader(reader, new Map([[q.working, working]])), depth + 2, null);
    } else if (ref.query !== undefined) {
      const before = levelOf(refs.slice(0, i), planned.catalog);
      const lateral = ref.lateral === true && ref.query.kind === 'select' && i > 0
        && lateralReferences(ref.query, before, planned.catalog).length > 0;
      out.push({ depth, text: `Derived table ${name}: ${lateral ? 'LATERAL subquery, answered per value of the columns before it that it names' : 'subquery, answered once before the statement'}` });
      await explain(ref.query, reader, depth + 1, lateral ? [before] : null);
    }
  }
}
