import type { SqlValue } from '../storage/index.js';

// DISTINCT, GROUP BY, DISTINCT ON, set operations, hash joins and window partitions take two
// rows as one when their values are equal, NULLs included; a JavaScript string stands for the
// values in a Map or Set.

/**
 * A text equal for two lists exactly when their values are equal, type by type: -0 is 0 and
 * NaN is NaN; canonical INTs never mix number and bigint. A string carries its length, so a
 * NUL or a type tag inside it cannot make two different lists read alike.
 */
export function valuesKey(values: readonly SqlValue[]): string {
  let key = '';
  for (const value of values) {
    key += typeof value === 'string' ? `s${value.length}:${value}` : `${typeof value}:${String(value)}\u0000`;
  }
  return key;
}
