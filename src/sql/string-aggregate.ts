import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import type { Accumulator } from './aggregate.js';
import { floatText } from './float-text.js';
import { checkStringLength } from './string-limit.js';
import { compareSortKey, type SortOrder } from './value-ops.js';

/** One value joined in: its text, the separator that goes before it, and its ORDER BY keys. */
interface Part {
  readonly text: string;
  readonly separator: string;
  readonly keys: readonly SqlValue[];
}

const NO_KEYS: readonly SqlValue[] = [];

/**
 * Values one call may join: empty strings cost no characters, yet each holds memory and a place
 * in the sort that ORDER BY runs, in one piece, when the group's answer is asked for.
 */
const PARTS_MAX = 1_000_000;

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
  readonly #parts: Part[] = [];
  #length = 0;

  constructor(
    readonly name: string,
    readonly argType: SqlType | null,
    readonly orders: readonly SortOrder[],
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
  }

  result(): SqlValue {
    if (this.#parts.length === 0) return null;
    const parts = this.orders.length === 0 ? this.#parts : [...this.#parts].sort((a, b) => this.#compare(a, b));
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
