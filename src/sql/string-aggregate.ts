import { assert, ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import type { Accumulator } from './aggregate.js';
import { floatText } from './float-text.js';
import { TEXT_HELD_MAX, type StatementGuard } from './statement-guard.js';
import { checkStringLength } from './string-limit.js';
import { compareSortKey, type SortOrder } from './value-ops.js';
import { sortYielding } from './yielding-sort.js';

/** One value joined in: its text, the separator that goes before it, and its ORDER BY keys. */
interface Part {
  readonly text: string;
  readonly separator: string;
  readonly keys: readonly SqlValue[];
}

const NO_KEYS: readonly SqlValue[] = [];

/**
 * Values one call may join in one group: empty strings cost no characters, yet each holds
 * memory. (All groups' values together count against the statement's rows held.)
 */
const PARTS_MAX = 1_000_000;

/** The values one aggregate call holds across all its groups, for the statement's memory caps. */
export interface HeldValues {
  count: number;
  /** Their characters, separators included: each group is under the string limit, all together under TEXT_HELD_MAX. */
  characters?: number;
}

/** A value as text: FLOATs as SQL writes them (CAST to TEXT), the rest as they print. */
export function valueText(value: SqlValue, type: SqlType | null): string {
  if (type === 'FLOAT' && typeof value === 'number') return floatText(value);
  return String(value);
}

/**
 * string_agg / group_concat: the non-NULL values as text, each after the first preceded by its
 * row's separator (a NULL separator is ''), in ORDER BY's order when the call has one (ties and
 * no ORDER BY: the order rows arrive in). NULL over no values; refused past the string limit.
 */
export class StringAggregate implements Accumulator {
  #parts: Part[] = [];
  #length = 0;
  #settled = false;

  constructor(
    readonly name: string,
    readonly argType: SqlType | null,
    readonly orders: readonly SortOrder[],
    readonly held: HeldValues,
  ) {}

  add(value: SqlValue, _insertedAtMs: number, separator?: SqlValue, keys?: readonly SqlValue[]): void {
    if (value === null) return;
    const text = valueText(value, this.argType);
    const before = typeof separator === 'string' ? separator : '';
    this.#length += text.length + before.length;
    checkStringLength(this.#length, `${this.name}()`);
    if (this.#parts.length >= PARTS_MAX) {
      throw new ChronosError('LIMIT_EXCEEDED', `${this.name}() would join more than ${PARTS_MAX} values; narrow it with WHERE or GROUP BY`);
    }
    this.#parts.push({ text, separator: before, keys: keys ?? NO_KEYS });
    this.held.count += 1;
    // 400 groups of 15 MB each ran a node out of heap with every group under its own limit.
    this.held.characters = (this.held.characters ?? 0) + text.length + before.length;
    if (this.held.characters > TEXT_HELD_MAX) {
      throw new ChronosError('LIMIT_EXCEEDED', `${this.name}() would hold more than ${TEXT_HELD_MAX} characters across its groups; ` +
        'narrow it with WHERE or join shorter values (substr)');
    }
  }

  /** Puts the values in ORDER BY's order, a slice at a time (a million of them take seconds). */
  async settle(guard: StatementGuard): Promise<void> {
    if (this.orders.length > 0 && this.#parts.length > 1) this.#parts = await sortYielding(this.#parts, (a, b) => this.#compare(a, b), guard);
    this.#settled = true;
  }

  result(): SqlValue {
    if (this.#parts.length === 0) return null;
    assert(this.#settled || this.orders.length === 0 || this.#parts.length === 1, `${this.name}() answered before its ORDER BY ran`);
    const parts = this.#parts;
    let joined = (parts[0] as Part).text;
    for (let i = 1; i < parts.length; i++) joined += (parts[i] as Part).separator + (parts[i] as Part).text;
    return joined;
  }

  #compare(a: Part, b: Part): number {
    for (let k = 0; k < this.orders.length; k++) {
      const c = compareSortKey(a.keys[k] ?? null, b.keys[k] ?? null, this.orders[k] as SortOrder);
      if (c !== 0) return c;
    }
    return 0;
  }
}
