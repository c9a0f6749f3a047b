import { ChronosError } from '../lib/index.js';
import type { Row, SqlType, SqlValue } from '../storage/index.js';
import type { Expr, FrameBound, SelectStatement } from './ast.js';
import { accumulatorFactory, aggregateType } from './aggregate.js';
import { compileExpr } from './compile.js';
import { commonType } from './common-type.js';
import type { CompileContext, Evaluator, Slot } from './compile.js';
import { eachChild } from './expr-depth.js';
import { printExpr } from './print.js';
import type { StatementGuard } from './statement-guard.js';
import { comparableTypes, compareSortKey } from './value-ops.js';
import type { SortOrder } from './value-ops.js';
import { sortYielding } from './yielding-sort.js';
import { valuesKey } from './values-key.js';

type WindowExpr = Extract<Expr, { kind: 'window' }>;

/** Partition and window ORDER BY keys are held until every row's value is computed. */
const TEXT_ADVICE = 'partition and order windows by fewer or shorter values (substr)';

/** Every window function of the select list and ORDER BY (subqueries have their own). */
export function windowsOf(s: SelectStatement): WindowExpr[] {
  const found: WindowExpr[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'window') {
      for (const inner of [...e.args, ...e.partitionBy, ...e.orderBy.map((o) => o.expr)]) {
        const nested: WindowExpr[] = [];
        collect(inner, nested);
        if (nested.length > 0) throw new ChronosError('INVALID_ARGUMENT', `Window functions cannot be nested: ${printExpr(e)}`);
      }
      found.push(e);
      return;
    }
    if (e.kind !== 'subquery') eachChild(e, visit);
  };
  const collect = (e: Expr, out: WindowExpr[]): void => {
    if (e.kind === 'window') out.push(e);
    else if (e.kind !== 'subquery') eachChild(e, (child) => collect(child, out));
  };
  for (const item of s.items) if (item.kind === 'expr') visit(item.expr);
  for (const order of s.orderBy) visit(order.expr);
  for (const key of s.distinctOn ?? []) visit(key);
  return found;
}

/** One window function compiled against the rows it runs over. */
interface CompiledWindow {
  readonly expr: WindowExpr;
  readonly type: SqlType | null;
  /** The type of the first argument (what an aggregate sums), null when it has none. */
  readonly argType: SqlType | null;
  readonly args: Evaluator[];
  readonly partition: Evaluator[];
  readonly order: Evaluator[];
  readonly orders: SortOrder[];
}

/** The window functions of a query: where their values go in a row, and how to compute them. */
export class WindowStep {
  readonly #windows: CompiledWindow[];
  readonly #width: number;
  readonly #nowMs: number;

  /** Compiles `windows` in `ctx` (the context of the query's output rows, `width` slots wide). */
  constructor(windows: readonly WindowExpr[], ctx: CompileContext, width: number, nowMs: number) {
    this.#width = width;
    this.#nowMs = nowMs;
    this.#windows = windows.map((expr) => {
      const args = expr.args.map((a) => compileExpr(a, ctx));
      checkCountArgument(expr, args.map((a) => a.type));
      const [value, , fallback] = args;
      if (value !== undefined && fallback !== undefined && !comparableTypes(value.type, fallback.type)) {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${expr.name}() default ${fallback.type} does not ` +
          `match its value's type ${value.type} in ${printExpr(expr)}`);
      }
      // lag(int, 1, 0.5) is FLOAT, as a CASE of the two would be.
      const valueType = fallback === undefined ? value?.type ?? null
        : commonType(`${expr.name}() value and default`, [value?.type ?? null, fallback.type]);
      return {
        expr, type: resultType(expr, valueType), argType: value?.type ?? null, args: args.map((a) => a.evaluate),
        partition: expr.partitionBy.map((e) => compileExpr(e, ctx).evaluate),
        order: expr.orderBy.map((o) => compileExpr(o.expr, ctx).evaluate),
        orders: expr.orderBy.map((o) => ({ descending: o.descending, nullsFirst: o.nullsFirst })),
      };
    });
  }

  /** Where a window function's value sits in the rows `apply` returns. */
  slotOf(expr: Expr): Slot | undefined {
    const i = this.#windows.findIndex((w) => w.expr === expr);
    const window = this.#windows[i];
    return window === undefined ? undefined : { slot: this.#width + i, type: window.type };
  }

  /**
   * The rows with every window function's value appended. Each pass over the rows steps
   * `guard`: a million rows take 0.1-0.3 s a pass, on the event loop Raft runs on.
   */
  async apply(rows: readonly Row[], guard: StatementGuard): Promise<Row[]> {
    const values: SqlValue[][] = [];
    for (const window of this.#windows) values.push(await this.#compute(window, rows, guard));
    const appended: Row[] = new Array<Row>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const out = (rows[i] as Row).slice(0, this.#width);
      out.length = this.#width;
      for (const column of values) out.push(column[i] ?? null);
      appended[i] = out;
      if (guard.step()) await guard.pause();
    }
    return appended;
  }

  async #compute(window: CompiledWindow, rows: readonly Row[], guard: StatementGuard): Promise<SqlValue[]> {
    const result: SqlValue[] = new Array<SqlValue>(rows.length).fill(null);
    const partitions = new Map<string, number[]>();
    for (let i = 0; i < rows.length; i++) {
      const key = valuesKey(window.partition.map((p) => p(rows[i] as Row)));
      const members = partitions.get(key);
      if (members === undefined) {
        partitions.set(key, [i]);
        guard.holdingCharacters(key.length, TEXT_ADVICE);
      } else members.push(i);
      if (guard.step()) await guard.pause();
    }
    for (const members of partitions.values()) {
      const keys: SqlValue[][] = new Array<SqlValue[]>(members.length);
      for (let j = 0; j < members.length; j++) {
        const orderValues = window.order.map((o) => o(rows[members[j] as number] as Row));
        guard.holdingText(orderValues, TEXT_ADVICE);
        keys[j] = orderValues;
        if (guard.step()) await guard.pause();
      }
      const sorted = await sortYielding(members.map((_, j) => j),
        (a, b) => compareKeys(keys[a] ?? [], keys[b] ?? [], window.orders) || a - b, guard);
      const ordered = sorted.map((j) => members[j] as number);
      const peers = await peerGroups(sorted.map((j) => keys[j] ?? []), window.orders, guard);
      const values = await computePartition(window, ordered.map((i) => rows[i] as Row), peers, this.#nowMs, guard);
      for (let j = 0; j < values.length; j++) {
        const v = values[j] ?? null;
        result[ordered[j] as number] = window.type === 'FLOAT' && typeof v === 'bigint' ? Number(v) : v;
        if (guard.step()) await guard.pause();
      }
    }
    return result;
  }
}

function compareKeys(a: readonly SqlValue[], b: readonly SqlValue[], orders: readonly SortOrder[]): number {
  for (let k = 0; k < orders.length; k++) {
    const c = compareSortKey(a[k] ?? null, b[k] ?? null, orders[k] as SortOrder);
    if (c !== 0) return c;
  }
  return 0;
}

/** For each position, the first and last position of its peers (rows equal in ORDER BY). */
async function peerGroups(
  keys: readonly (readonly SqlValue[])[], orders: readonly SortOrder[], guard: StatementGuard,
): Promise<{ start: number[]; end: number[] }> {
  const start: number[] = [];
  const end: number[] = new Array<number>(keys.length).fill(0);
  for (let j = 0; j < keys.length; j++) {
    const same = j > 0 && compareKeys(keys[j] ?? [], keys[j - 1] ?? [], orders) === 0;
    start.push(same ? start[j - 1] as number : j);
    // One comparison per row: over a long partition this pass is long too.
    if (guard.step()) await guard.pause();
  }
  for (let j = keys.length - 1; j >= 0; j--) {
    end[j] = j + 1 < keys.length && start[j + 1] === start[j] ? end[j + 1] as number : j;
  }
  return { start, end };
}

function resultType(expr: WindowExpr, argType: SqlType | null): SqlType | null {
  switch (expr.name) {
    case 'row_number': case 'rank': case 'dense_rank': case 'ntile': return 'INT';
    case 'percent_rank': case 'cume_dist': return 'FLOAT';
    case 'lag': case 'lead': case 'first_value': case 'last_value': case 'nth_value': return argType;
    default: return aggregateType(expr.name, expr.args.length === 0 ? null : argType);
  }
}

/** The frame [lo, hi] of position j in a partition of n rows (empty when lo > hi). */
function frameOf(window: CompiledWindow, j: number, n: number, peers: { start: number[]; end: number[] }): [number, number] {
  const frame = window.expr.frame;
  if (frame === null) return [0, window.order.length > 0 ? peers.end[j] as number : n - 1];
  const at = (bound: FrameBound, isStart: boolean): number => {
    switch (bound.kind) {
      case 'unboundedPreceding': return 0;
      case 'preceding': return j - bound.rows;
      case 'currentRow': return frame.unit === 'RANGE' ? (isStart ? peers.start[j] : peers.end[j]) as number : j;
      case 'following': return j + bound.rows;
      case 'unboundedFollowing': return n - 1;
    }
  };
  return [Math.max(0, at(frame.start, true)), Math.min(n - 1, at(frame.end, false))];
}

/** The function's value at each position of one ordered partition. */
async function computePartition(window: CompiledWindow, rows: readonly Row[], peers: { start: number[]; end: number[] },
  nowMs: number, guard: StatementGuard): Promise<SqlValue[]> {
  const n = rows.length;
  const arg = (k: number, j: number): SqlValue => (window.args[k] as Evaluator)(rows[j] as Row);
  switch (window.expr.name) {
    case 'row_number': return rows.map((_, j) => j + 1);
    case 'rank': return rows.map((_, j) => (peers.start[j] as number) + 1);
    case 'dense_rank': {
      let rank = 0;
      return rows.map((_, j) => (peers.start[j] === j ? ++rank : rank));
    }
    case 'lag': case 'lead': {
      const sign = window.expr.name === 'lag' ? -1 : 1;
      return mapRows(n, guard, (j) => {
        const given = window.args.length > 1 ? arg(1, j) : 1;
        if (given === null) return null;
        // An INT past 2^53 (a bigint) reaches past any partition: the default, as for any far
        // offset. A negative offset looks the other way (lag(x, -1) is lead(x, 1)), as in
        // PostgreSQL and sqlite3.
        const offset = typeof given === 'bigint' ? (given > 0n ? Infinity : -Infinity) : given;
        if (typeof offset !== 'number' || !(Number.isInteger(offset) || Math.abs(offset) === Infinity)) {
          throw new ChronosError('INVALID_ARGUMENT', `${window.expr.name}() offset must be an integer, got ${String(offset)}`);
        }
        const at = j + sign * offset;
        return at >= 0 && at < n ? arg(0, at) : window.args.length > 2 ? arg(2, j) : null;
      });
    }
    case 'first_value': case 'last_value': return mapRows(n, guard, (j) => {
      const [lo, hi] = frameOf(window, j, n, peers);
      return lo > hi ? null : arg(0, window.expr.name === 'first_value' ? lo : hi);
    });
    case 'nth_value': return mapRows(n, guard, (j) => {
      const nth = positiveArgument('nth_value', arg(1, j));
      if (nth === null) return null;
      const [lo, hi] = frameOf(window, j, n, peers);
      return lo + nth - 1 <= hi ? arg(0, lo + nth - 1) : null;
    });
    case 'ntile': {
      // As PostgreSQL: the count is read row by row until it is not NULL, then kept, and the
      // buckets (sized over the whole partition) are counted from that row.
      let first = 0;
      let buckets: number | null = null;
      for (; first < n && buckets === null; first++) buckets = positiveArgument('ntile', arg(0, first));
      const from = first - 1;
      return rows.map((_, j) => (buckets === null || j < from ? null : bucketOf(j - from, n, buckets)));
    }
    // The share of the partition ranked before the row, and ranked up to and with it.
    case 'percent_rank': return rows.map((_, j) => (n > 1 ? (peers.start[j] as number) / (n - 1) : 0));
    case 'cume_dist': return rows.map((_, j) => ((peers.end[j] as number) + 1) / n);
    default: return aggregateOverFrames(window, rows, peers, nowMs, guard);
  }
}

/** Most rows of a partition whose FLOAT frames ending at its end are each added from their start. */
const SUFFIX_FRAMES_ADDED_AFRESH_MAX = 4096;

/**
 * `value` at each position 0..n-1, stepping `guard` per position: an argument may cost
 * milliseconds a row (a function over a long string), and the loop must still pause.
 */
async function mapRows(n: number, guard: StatementGuard, value: (j: number) => SqlValue): Promise<SqlValue[]> {
  const out = new Array<SqlValue>(n);
  for (let j = 0; j < n; j++) {
    out[j] = value(j);
    if (guard.step()) await guard.pause();
  }
  return out;
}

/** ntile(n) and nth_value(x, n) count in whole numbers: n must be an INT. */
function checkCountArgument(expr: WindowExpr, types: readonly (SqlType | null)[]): void {
  const type = expr.name === 'ntile' ? types[0] : expr.name === 'nth_value' ? types[1] : undefined;
  if (type !== undefined && type !== null && type !== 'INT') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${expr.name}() needs an INT count, got ${type} in ${printExpr(expr)}`);
  }
}

/** ntile's and nth_value's count: NULL stays NULL, anything but a whole number above zero is an error (PostgreSQL). */
function positiveArgument(name: string, value: SqlValue): number | null {
  if (value === null) return null;
  const count = Number(value);
  if (!Number.isInteger(count) || count <= 0) {
    throw new ChronosError('INVALID_ARGUMENT', `${name}() argument must be greater than zero, got ${String(value)}`);
  }
  return count;
}

/** ntile: position j of n rows in `buckets` as equal as can be, the first `n % buckets` one row larger. */
function bucketOf(j: number, n: number, buckets: number): number {
  const size = Math.floor(n / buckets);
  const larger = n % buckets;
  const inLarger = larger * (size + 1);
  return j < inLarger ? Math.floor(j / (size + 1)) + 1 : Math.floor((j - inLarger) / size) + larger + 1;
}

/**
 * SUM/AVG/COUNT/MIN/MAX over each position's frame. Prefix frames (all starting at 0) are running
 * totals, and so are suffix frames (all ending at the partition's end), added backwards, where
 * the order of adding does not matter; any other frame is summed on its own, its cost bounded
 * by its width and charged to the statement.
 */
async function aggregateOverFrames(window: CompiledWindow, rows: readonly Row[], peers: { start: number[]; end: number[] },
  nowMs: number, guard: StatementGuard): Promise<SqlValue[]> {
  const name = window.expr.name as 'count' | 'sum' | 'avg' | 'min' | 'max';
  // SUM stays an exact INT, and AVG sums exactly, only over an INT argument.
  const make = accumulatorFactory(name, name === 'sum' ? window.type : name === 'avg' ? window.argType : null, false, nowMs);
  const value = (j: number): SqlValue => (window.args.length === 0 ? 1 : (window.args[0] as Evaluator)(rows[j] as Row));
  const n = rows.length;
  const frames = rows.map((_, j) => frameOf(window, j, n, peers));
  const nondecreasing = (side: 0 | 1): boolean => frames.every((f, j) => j === 0 || f[side] >= (frames[j - 1] as [number, number])[side]);
  if (frames.every(([lo, hi]) => lo === 0 || lo > hi) && nondecreasing(1)) {
    const acc = make();
    let added = -1;
    return mapRows(n, guard, (j) => {
      const [lo, hi] = frames[j] as [number, number];
      for (; added < hi; added++) acc.add(value(added + 1), 0);
      return lo > hi ? make().result() : acc.result();
    });
  }
  // Backwards only where the order of adding cannot change the answer: a FLOAT sum is added
  // from each frame's start, as PostgreSQL and sqlite3 add it (0.1 + 0.2 + 0.3 differs from
  // 0.3 + 0.2 + 0.1 in the last bit, and 1e16 + 1 - 1e16 from -1e16 + 1 + 1e16 in all of them).
  // Past SUFFIX_FRAMES_ADDED_AFRESH_MAX rows that would be quadratic (PostgreSQL's is too): a
  // reverse running total of a million readings must finish, in the last bit PostgreSQL's or not.
  const orderFree = name === 'count' || name === 'min' || name === 'max' || window.argType === 'INT'
    || n > SUFFIX_FRAMES_ADDED_AFRESH_MAX;
  if (orderFree && frames.every(([lo, hi]) => hi === n - 1 || lo > hi) && nondecreasing(0)) {
    const acc = make();
    let added = n;
    const out: SqlValue[] = new Array<SqlValue>(n);
    for (let j = n - 1; j >= 0; j--) {
      const [lo, hi] = frames[j] as [number, number];
      for (; added > lo && added > 0; added--) acc.add(value(added - 1), 0);
      out[j] = lo > hi ? make().result() : acc.result();
      if (guard.step()) await guard.pause();
    }
    return out;
  }
  const out: SqlValue[] = [];
  for (const [lo, hi] of frames) {
    const acc = make();
    for (let j = lo; j <= hi; j++) acc.add(value(j), 0);
    out.push(acc.result());
    if (guard.step(Math.max(1, hi - lo + 1))) await guard.pause();
  }
  return out;
}
