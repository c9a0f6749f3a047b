import { assert, ChronosError } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import type { Accumulator } from './aggregate.js';
import type { OrderedSetName } from './ast.js';
import type { StatementGuard } from './statement-guard.js';
import type { HeldValues } from './string-aggregate.js';
import { compareSortKey, compareValues, type SortOrder } from './value-ops.js';
import { sortYielding } from './yielding-sort.js';

/** A percentile's fraction, checked as PostgreSQL checks it: NULL passes (the answer is NULL). */
export function checkFraction(value: SqlValue): void {
  if (value === null) return;
  const fraction = Number(value);
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new ChronosError('INVALID_ARGUMENT', `percentile value ${String(value)} is not between 0 and 1`);
  }
}

/**
 * percentile_cont, percentile_disc and mode (PostgreSQL's ordered-set aggregates): every
 * non-NULL value of the group is held, sorted by WITHIN GROUP's order once the rows are in,
 * and read at the fraction's place. Held values count against the statement's rows held.
 */
export class OrderedSetAggregate implements Accumulator {
  #values: SqlValue[] = [];
  #fraction: SqlValue = null;
  #settled = false;
  #mode: SqlValue = null;

  constructor(readonly name: OrderedSetName, readonly order: SortOrder, readonly held: HeldValues) {}

  add(value: SqlValue, _insertedAtMs: number, fraction?: SqlValue): void {
    if (value === null) return;
    this.#values.push(value);
    this.#fraction = fraction ?? null;
    this.held.count += 1;
  }

  /** Sorts the values a slice at a time (a million readings take a second); mode counts its runs. */
  async settle(guard: StatementGuard): Promise<void> {
    if (this.#values.length > 1) {
      this.#values = await sortYielding(this.#values, (a, b) => compareSortKey(a, b, this.order), guard);
    }
    if (this.name === 'mode') this.#mode = await mostFrequent(this.#values, guard);
    this.#settled = true;
  }

  result(): SqlValue {
    const values = this.#values;
    const n = values.length;
    if (n === 0) return null;
    assert(this.#settled || n === 1, `${this.name}() answered before its values were sorted`);
    if (this.name === 'mode') return n === 1 ? values[0] ?? null : this.#mode;
    if (this.#fraction === null) return null;
    const fraction = Number(this.#fraction);
    if (this.name === 'percentile_disc') return values[Math.max(1, Math.ceil(fraction * n)) - 1] ?? null;
    // PostgreSQL's interpolation, step for step, so the answer is its double.
    const at = fraction * (n - 1);
    const lower = Math.floor(at);
    const first = Number(values[lower]);
    if (lower === Math.ceil(at)) return first;
    return first + (Number(values[lower + 1]) - first) * (at - lower);
  }
}

/** The value repeated most in a sorted run; of equally frequent ones, the first in the order. */
async function mostFrequent(sorted: readonly SqlValue[], guard: StatementGuard): Promise<SqlValue> {
  let best: SqlValue = sorted[0] ?? null;
  let bestCount = 0;
  let runStart = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (guard.step()) await guard.pause();
    if (i < sorted.length && compareValues(sorted[i] ?? null, sorted[runStart] ?? null) === 0) continue;
    if (i - runStart > bestCount) {
      best = sorted[runStart] ?? null;
      bestCount = i - runStart;
    }
    runStart = i;
  }
  return best;
}
