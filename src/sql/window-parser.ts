import { ChronosError } from '../lib/index.js';
import type { Expr, FrameBound, WindowFrame, WindowFunctionName } from './ast.js';
import { unsupported } from './cursor.js';
import type { ExprParser } from './expr-parser.js';
import { orderItems } from './order-items.js';

/** Functions that exist only with OVER, and how many arguments each takes. */
const WINDOW_ONLY: Readonly<Record<string, readonly [number, number]>> = {
  row_number: [0, 0], rank: [0, 0], dense_rank: [0, 0], lag: [1, 3], lead: [1, 3],
  first_value: [1, 1], last_value: [1, 1], ntile: [1, 1], percent_rank: [0, 0], cume_dist: [0, 0], nth_value: [2, 2],
};
const WINDOW_AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max']);

/** True for a name that is only a function with OVER (`row_number()` without it is an error). */
export function isWindowOnly(name: string): boolean {
  return name in WINDOW_ONLY;
}

/**
 * `name(args) OVER ([PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE frame])`, the cursor at OVER
 * (or, for a window-only name without OVER, an error saying it needs one). `args` empty with
 * `star` is COUNT(*).
 */
export function parseWindowCall(p: ExprParser, name: string, args: readonly Expr[], distinct: boolean): Expr {
  const c = p.c;
  if (!c.acceptWord('OVER')) {
    throw new ChronosError('INVALID_ARGUMENT', `${name}() is a window function: it needs OVER (...)`);
  }
  const arity = WINDOW_ONLY[name];
  if (arity === undefined && !WINDOW_AGGREGATES.has(name)) throw unsupported(`${name}() as a window function`);
  if (distinct) throw unsupported('DISTINCT in a window function');
  const [min, max] = arity ?? [name === 'count' ? 0 : 1, 1];
  if (args.length < min || args.length > max) {
    throw new ChronosError('INVALID_ARGUMENT', `${name}() takes ${min === max ? min : `${min} to ${max}`} ` +
      `argument${max === 1 ? '' : 's'}, got ${args.length}`);
  }
  if (!c.acceptSymbol('(')) throw unsupported('named windows (OVER name, WINDOW clause)');
  const partitionBy = c.acceptWord('PARTITION') ? (c.expectWord('BY'), p.list()) : [];
  const orderBy = c.acceptWord('ORDER') ? (c.expectWord('BY'), orderItems(p)) : [];
  const frame = parseFrame(p);
  c.expectSymbol(')');
  return { kind: 'window', name: name as WindowFunctionName, args, partitionBy, orderBy, frame };
}

function parseFrame(p: ExprParser): WindowFrame | null {
  const c = p.c;
  if (c.isWord('GROUPS')) throw unsupported('GROUPS frames');
  const unit = c.acceptWord('ROWS') ? 'ROWS' : c.acceptWord('RANGE') ? 'RANGE' : null;
  if (unit === null) return null;
  const between = c.acceptWord('BETWEEN');
  const start = parseBound(p, unit);
  let end: FrameBound = { kind: 'currentRow' };
  if (between) {
    c.expectWord('AND');
    end = parseBound(p, unit);
  }
  if (c.isWord('EXCLUDE')) throw unsupported('EXCLUDE in a window frame');
  // As PostgreSQL and sqlite3: the kinds of bound must come in order; offsets of one kind may
  // not (2 FOLLOWING AND 1 FOLLOWING is an empty frame on every row).
  if (start.kind === 'unboundedFollowing' || end.kind === 'unboundedPreceding' || KIND_ORDER[start.kind] > KIND_ORDER[end.kind]) {
    throw new ChronosError('INVALID_ARGUMENT', 'the window frame ends before it starts');
  }
  return { unit, start, end };
}

/** The order the kinds of frame bound come in along the rows. */
const KIND_ORDER: Readonly<Record<FrameBound['kind'], number>> = {
  unboundedPreceding: 0, preceding: 1, currentRow: 2, following: 3, unboundedFollowing: 4,
};

function parseBound(p: ExprParser, unit: 'ROWS' | 'RANGE'): FrameBound {
  const c = p.c;
  if (c.acceptWord('UNBOUNDED')) {
    if (c.acceptWord('PRECEDING')) return { kind: 'unboundedPreceding' };
    c.expectWord('FOLLOWING');
    return { kind: 'unboundedFollowing' };
  }
  if (c.acceptWord('CURRENT')) {
    c.expectWord('ROW');
    return { kind: 'currentRow' };
  }
  const token = c.peek();
  if (token?.kind !== 'number' || !/^\d+$/.test(token.value)) throw c.fail('expected UNBOUNDED, CURRENT ROW or a row count');
  if (unit === 'RANGE') throw unsupported('RANGE frames with an offset (use ROWS)');
  c.next();
  const rows = Number(token.value);
  if (c.acceptWord('PRECEDING')) return { kind: 'preceding', rows };
  c.expectWord('FOLLOWING');
  return { kind: 'following', rows };
}
