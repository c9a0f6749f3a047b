import { assert, ChronosError } from '../lib/index.js';
import type { AggregateName, Expr, OrderItem } from './ast.js';
import { unsupported } from './cursor.js';
import type { ExprParser } from './expr-parser.js';
import { orderItems } from './order-items.js';
import { ORDERED_SET_NAMES, SPREAD_NAMES, TRUTH_NAMES } from './statistic-aggregates.js';

/** Names that make a call an aggregate. */
export const AGGREGATES: ReadonlySet<string> = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'avg_1h', 'avg_24h', 'avg_7d', 'first', 'last', 'string_agg', 'group_concat', 'total',
  ...SPREAD_NAMES, ...TRUTH_NAMES, ...ORDERED_SET_NAMES,
]);

/** Aggregates whose answer depends on the order of their rows, so they take ORDER BY in the call. */
const ORDERED_AGGREGATES: ReadonlySet<string> = new Set(['string_agg', 'group_concat']);

/** `ORDER BY ...` before a call's ')': taken by string_agg and group_concat, refused by name elsewhere. */
export function callOrderBy(p: ExprParser, name: string): OrderItem[] {
  const c = p.c;
  if (!c.isWord('ORDER')) return [];
  if (!ORDERED_AGGREGATES.has(name)) throw unsupported(`ORDER BY inside ${name}() (string_agg and group_concat take one)`);
  c.expectWord('ORDER');
  c.expectWord('BY');
  return orderItems(p);
}

/** Whether `name` is an ordered-set aggregate, which takes WITHIN GROUP (ORDER BY ...). */
export function isOrderedSet(name: string): boolean {
  return (ORDERED_SET_NAMES as readonly string[]).includes(name);
}

/** `WITHIN GROUP (ORDER BY ...)` after an ordered-set aggregate's ')': its one sort item. */
export function withinGroup(p: ExprParser, name: string): OrderItem[] {
  const c = p.c;
  if (!c.acceptWord('WITHIN')) {
    throw new ChronosError('INVALID_ARGUMENT', `${name}() needs WITHIN GROUP (ORDER BY ...), e.g. ${name}(${name === 'mode' ? '' : '0.95'}) WITHIN GROUP (ORDER BY temp)`);
  }
  c.expectWord('GROUP');
  c.expectSymbol('(');
  c.expectWord('ORDER');
  c.expectWord('BY');
  const items = orderItems(p);
  c.expectSymbol(')');
  if (items.length !== 1) throw unsupported(`${name}() WITHIN GROUP over more than one sort key`);
  return items;
}

function argumentCount(name: string, count: number, wanted: string): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', `${name}() takes ${wanted}; got ${count} argument${count === 1 ? '' : 's'}`);
}

/** An aggregate call's node, its arguments counted as each aggregate takes them. */
export function aggregateCall(
  name: AggregateName, args: readonly Expr[], distinct: boolean, orderBy: readonly OrderItem[], filter: Expr | null,
): Expr {
  const node = (arg: Expr, second: Expr | null): Expr => ({ kind: 'aggregate', name, arg, distinct, second, orderBy, filter });
  if (name === 'first' || name === 'last') {
    if (args.length !== 2) throw argumentCount(name, args.length, `a value and what orders it, e.g. ${name}(temp, ts)`);
    if (distinct) throw unsupported(`DISTINCT in ${name}()`);
    return node(args[0] as Expr, args[1] as Expr);
  }
  if (isOrderedSet(name)) {
    const wanted = name === 'mode' ? 0 : 1;
    if (args.length !== wanted) throw argumentCount(name, args.length, name === 'mode' ? 'no arguments' : 'one argument, the fraction');
    if (distinct) throw unsupported(`DISTINCT in ${name}()`);
    const [item] = orderBy;
    assert(item !== undefined, 'an ordered-set aggregate has its WITHIN GROUP item');
    return node(item.expr, args[0] ?? null);
  }
  if (name === 'string_agg' || name === 'group_concat') {
    if (args.length > 2 || args.length < (name === 'string_agg' ? 2 : 1)) {
      throw argumentCount(name, args.length, name === 'string_agg' ? 'a value and a separator' : 'a value and, optionally, a separator');
    }
    return node(args[0] as Expr, args[1] ?? null);
  }
  if (args.length !== 1) throw new ChronosError('INVALID_ARGUMENT', `${name}() takes exactly one argument, got ${args.length}`);
  return node(args[0] as Expr, null);
}
