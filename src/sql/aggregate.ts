import { assertNever, ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import type { AggregateName } from './ast.js';
import type { StatementGuard } from './statement-guard.js';
import { OrderedSetAggregate } from './ordered-set-aggregate.js';
import { Spread, Truth } from './statistic-aggregates.js';
import { StringAggregate, type HeldValues } from './string-aggregate.js';
import { checkedBig, compareValues, type SortOrder } from './value-ops.js';
import { valuesKey } from './values-key.js';

const WINDOW_MS: Readonly<Partial<Record<AggregateName, number>>> = {
  avg_1h: 3_600_000, avg_24h: 86_400_000, avg_7d: 604_800_000,
};

const ASCENDING: SortOrder = { descending: false, nullsFirst: false };

/** Running state of one aggregate in one group. */
export interface Accumulator {
  /**
   * `second`: the call's second argument (first/last: what orders the rows; string_agg: the
   * separator); `keys`: the row's values of the call's ORDER BY.
   */
  add(value: SqlValue, insertedAtMs: number, second?: SqlValue, keys?: readonly SqlValue[]): void;
  /** Work left for after the last row that may take long (string_agg's ORDER BY): it yields through `guard`. */
  settle?(guard: StatementGuard): Promise<void>;
  result(): SqlValue;
}

/** Static result type of an aggregate over an argument of type `arg`. */
export function aggregateType(name: AggregateName, arg: SqlType | null): SqlType | null {
  switch (name) {
    case 'count':
      return 'INT';
    case 'total':
    case 'sum':
    case 'avg':
    case 'avg_1h':
    case 'avg_24h':
    case 'avg_7d':
      if (arg !== null && arg !== 'INT' && arg !== 'FLOAT') {
        throw new ChronosError(
          'TYPE_MISMATCH',
          `Type mismatch: ${name}() needs a number, got ${arg}`,
        );
      }
      return name === 'sum' ? arg : 'FLOAT';
    case 'variance': case 'var_samp': case 'var_pop': case 'stddev': case 'stddev_samp': case 'stddev_pop':
      if (arg !== null && arg !== 'INT' && arg !== 'FLOAT') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a number, got ${arg}`);
      }
      return 'FLOAT';
    case 'percentile_cont':
      if (arg !== null && arg !== 'INT' && arg !== 'FLOAT') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: percentile_cont() interpolates numbers, got ${arg} (percentile_disc takes any type)`);
      }
      return 'FLOAT';
    case 'percentile_disc':
    case 'mode':
      return arg;
    case 'bool_and': case 'bool_or': case 'every':
      if (arg !== null && arg !== 'BOOLEAN') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a BOOLEAN, got ${arg}`);
      }
      return 'BOOLEAN';
    case 'min':
    case 'max':
    case 'first':
    case 'last':
      return arg;
    case 'string_agg':
      // PostgreSQL's takes text only; group_concat, sqlite's, shows any value as text.
      if (arg !== null && arg !== 'STRING') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: string_agg() needs a STRING, got ${arg} (cast it, or use group_concat)`);
      }
      return 'STRING';
    case 'group_concat':
      return 'STRING';
    default:
      return assertNever(name, 'aggregate');
  }
}

class Count implements Accumulator {
  n = 0;
  add(value: SqlValue): void {
    if (value !== null) this.n++;
  }
  result(): SqlValue {
    return this.n;
  }
}

/**
 * SUM. Over INTs the running sum is exact and unbounded (a number while it is a safe integer,
 * then a bigint): only a total outside int64 is an overflow, so the answer does not depend on
 * the order rows come in (PostgreSQL sums bigints as numerics; sqlite3 fails on the way).
 */
class Sum implements Accumulator {
  #float = 0;
  #int = 0;
  #bigInt = 0n;
  #seen = false;
  constructor(readonly isInt: boolean) {}
  add(value: SqlValue): void {
    if (value === null) return;
    this.#seen = true;
    if (!this.isInt) {
      this.#float += typeof value === 'bigint' ? Number(value) : value as number;
      return;
    }
    const next = typeof value === 'number' ? this.#int + value : NaN;
    if (Number.isSafeInteger(next)) {
      this.#int = next;
    } else {
      this.#bigInt += BigInt(this.#int) + BigInt(value as number | bigint);
      this.#int = 0;
    }
  }
  result(): SqlValue {
    if (!this.#seen) return null;
    if (!this.isInt) return this.#float;
    return this.#bigInt === 0n ? this.#int : checkedBig(this.#bigInt + BigInt(this.#int), '+');
  }
}

/** sqlite's total(): the sum as a FLOAT, 0 (not NULL) over no values, never an INT overflow. */
class Total implements Accumulator {
  #sum = 0;
  add(value: SqlValue): void {
    if (value !== null) this.#sum += Number(value);
  }
  result(): SqlValue {
    return this.#sum;
  }
}

/**
 * Over INTs, values are summed exactly (as numbers while the sum is a safe integer, then as a
 * bigint), so avg over INTs near or past 2^53 is the exact sum divided once. Over FLOATs the sum
 * is a plain double sum in row order, as PostgreSQL's and sqlite3's: avg(v) is sum(v) / count(v).
 */
class Avg implements Accumulator {
  #fractions = 0;
  #whole = 0;
  #bigWhole = 0n;
  #n = 0;
  constructor(readonly sinceMs: number, readonly overInts: boolean) {}
  add(value: SqlValue, insertedAtMs: number): void {
    if (value === null || insertedAtMs <= this.sinceMs) return;
    this.#n++;
    if (!this.overInts) {
      this.#fractions += Number(value);
    } else if (typeof value === 'bigint') {
      this.#bigWhole += value;
    } else if (Number.isSafeInteger(value)) {
      const next = this.#whole + (value as number);
      if (Number.isSafeInteger(next)) this.#whole = next;
      else {
        this.#bigWhole += BigInt(this.#whole) + BigInt(value as number);
        this.#whole = 0;
      }
    } else {
      this.#fractions += value as number;
    }
  }
  result(): SqlValue {
    if (this.#n === 0) return null;
    if (this.#bigWhole === 0n) return (this.#fractions + this.#whole) / this.#n;
    // Divided in bigint first: the quotient is exact, so only the remainder's share rounds.
    const total = this.#bigWhole + BigInt(this.#whole);
    const n = BigInt(this.#n);
    return Number(total / n) + (Number(total % n) + this.#fractions) / this.#n;
  }
}

class Extreme implements Accumulator {
  #best: SqlValue = null;
  constructor(readonly sign: 1 | -1) {}
  add(value: SqlValue): void {
    if (value === null) return;
    if (this.#best === null || compareValues(value, this.#best) * this.sign > 0) this.#best = value;
  }
  result(): SqlValue {
    return this.#best;
  }
}

/**
 * first/last: the value of the row with the least/greatest `by` (NULL `by` skipped). Rows
 * arrive in storage order, which differs between layouts and scans, so a tie on `by` goes to
 * the least value (NULL last), the same answer whatever the order.
 */
class ByExtreme implements Accumulator {
  #by: SqlValue = null;
  #value: SqlValue = null;
  constructor(readonly sign: 1 | -1) {}
  add(value: SqlValue, _insertedAtMs: number, by?: SqlValue): void {
    if (by === null || by === undefined) return;
    const order = this.#by === null ? 1 : compareValues(by, this.#by) * this.sign;
    if (order > 0 || (order === 0 && valueFirst(value, this.#value))) {
      this.#by = by;
      this.#value = value;
    }
  }
  result(): SqlValue {
    return this.#value;
  }
}

/** Whether `a` comes before `b` in ascending order with NULLs last. */
function valueFirst(a: SqlValue, b: SqlValue): boolean {
  if (a === null) return false;
  return b === null || compareValues(a, b) < 0;
}

/**
 * DISTINCT over the call's arguments: the value, and the separator where there is one
 * (string_agg(DISTINCT x, sep) keeps 'a' twice under two separators, as PostgreSQL does).
 */
class Distinct implements Accumulator {
  readonly #seen = new Set<unknown>();
  readonly settle?: (guard: StatementGuard) => Promise<void>;
  constructor(readonly inner: Accumulator) {
    if (inner.settle !== undefined) this.settle = (guard) => (inner.settle as (g: StatementGuard) => Promise<void>).call(inner, guard);
  }
  add(value: SqlValue, insertedAtMs: number, second?: SqlValue, keys?: readonly SqlValue[]): void {
    if (value === null) return;
    // -0 and 0 are one value (SameValueZero); canonical INTs never mix number and bigint.
    const key = second === undefined ? value : valuesKey([value, second]);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.inner.add(value, insertedAtMs, second, keys);
  }
  result(): SqlValue {
    return this.inner.result();
  }
}

/** A factory of accumulators for one aggregate call. */
export function accumulatorFactory(
  name: AggregateName,
  argType: SqlType | null,
  distinct: boolean,
  nowMs: number,
  orders: readonly SortOrder[] = [],
  held: HeldValues = { count: 0 },
): () => Accumulator {
  const base = (): Accumulator => {
    switch (name) {
      case 'count': return new Count();
      case 'sum': return new Sum(argType === 'INT');
      case 'total': return new Total();
      case 'avg': return new Avg(-Infinity, argType === 'INT');
      case 'avg_1h':
      case 'avg_24h':
      case 'avg_7d':
        return new Avg(nowMs - (WINDOW_MS[name] as number), argType === 'INT');
      case 'min': return new Extreme(-1);
      case 'max': return new Extreme(1);
      case 'first': return new ByExtreme(-1);
      case 'last': return new ByExtreme(1);
      case 'string_agg':
      case 'group_concat':
        return new StringAggregate(name, argType, orders, held);
      case 'variance': case 'var_samp': case 'var_pop': case 'stddev': case 'stddev_samp': case 'stddev_pop':
        return new Spread(name);
      case 'bool_and': case 'bool_or': case 'every':
        return new Truth(name);
      case 'percentile_cont': case 'percentile_disc': case 'mode':
        return new OrderedSetAggregate(name, orders[0] ?? ASCENDING, held);
      default: return assertNever(name, 'aggregate');
    }
  };
  return distinct ? () => new Distinct(base()) : base;
}
