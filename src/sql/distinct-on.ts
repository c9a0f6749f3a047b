import { ChronosError } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import type { Expr, OrderItem } from './ast.js';
import { compileExpr, type CompileContext, type Evaluator } from './compile.js';
import { resolvedKey } from './expr-walk.js';
import { printExpr } from './print.js';
import type { StatementGuard } from './statement-guard.js';
import type { SortOrder } from './value-ops.js';
import { valuesKey } from './values-key.js';

// SELECT DISTINCT ON (keys) keeps the first row of each set of rows equal in the keys, first
// as ORDER BY puts them: PostgreSQL's way to ask for the latest reading per device
// (`SELECT DISTINCT ON (device) device, ts, v FROM r ORDER BY device, ts DESC`).

/** Where each key's value is found among the sort keys, and the sort keys to add so that rows equal in the keys come together. */
export interface CompiledDistinctOn {
  /**
   * For each key, its position among ORDER BY's sort keys followed by `extraSortKeys`: a key is
   * always sorted on, so its value is read from the sort key rather than evaluated (and its text
   * held) a second time.
   */
  readonly sortKeyOf: readonly number[];
  readonly extraSortKeys: readonly (SortOrder & { readonly output: -1; readonly evaluate: Evaluator })[];
}

/**
 * Compiles the keys (`resolve` reads positions and output names as ORDER BY does). ORDER BY's first
 * items must be keys until every key is named, as in PostgreSQL; keys it leaves out sort after it.
 */
export function compileDistinctOn(
  exprs: readonly Expr[], orderBy: readonly OrderItem[], resolve: (e: Expr) => Expr, ctx: CompileContext,
): CompiledDistinctOn {
  const scope = ctx.scope;
  const resolved = exprs.map(resolve);
  const keyOf = (e: Expr): string => (scope === null ? JSON.stringify(e) : resolvedKey(e, scope));
  const wanted = new Set(resolved.map(keyOf));
  const named = new Map<string, number>();
  for (const [position, item] of orderBy.entries()) {
    if (named.size === wanted.size) break;
    const key = keyOf(resolve(item.expr));
    if (!wanted.has(key)) {
      throw new ChronosError('INVALID_ARGUMENT', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions ' +
        `(ORDER BY ${printExpr(item.expr)} comes before every DISTINCT ON key is named)`);
    }
    if (!named.has(key)) named.set(key, position);
  }
  const extraSortKeys: CompiledDistinctOn['extraSortKeys'][number][] = [];
  const extraOf = new Map<string, number>();
  const sortKeyOf = resolved.map((e) => {
    const key = keyOf(e);
    const position = named.get(key) ?? extraOf.get(key);
    if (position !== undefined) return position;
    extraOf.set(key, orderBy.length + extraSortKeys.length);
    extraSortKeys.push({ output: -1, evaluate: compileExpr(e, ctx).evaluate, descending: false, nullsFirst: false });
    return orderBy.length + extraSortKeys.length - 1;
  });
  return { sortKeyOf, extraSortKeys };
}

/** The first row of each run of rows equal in their DISTINCT ON keys (the rows sorted, so runs are whole). */
export async function firstOfEachRun<T extends { readonly on: readonly SqlValue[] }>(rows: readonly T[], guard: StatementGuard): Promise<T[]> {
  const kept: T[] = [];
  let previous: string | null = null;
  for (const row of rows) {
    const key = valuesKey(row.on);
    if (key !== previous) kept.push(row);
    previous = key;
    if (guard.step()) await guard.pause();
  }
  return kept;
}
