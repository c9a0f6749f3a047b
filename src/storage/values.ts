/** Column types of the SQL dialect. TEXT is parsed as an alias of STRING. */
export type SqlType = 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN';

/**
 * A value as the engine holds it in memory.
 * - INT: a `number` while |v| <= Number.MAX_SAFE_INTEGER, a `bigint` beyond (canonical form,
 *   see `canonicalInt`): int64 round-trips exactly, ordinary arithmetic stays fast.
 * - FLOAT: a `number` (NaN and ±Infinity allowed; -0 equals 0).
 * - STRING: a `string` (compared by UTF-8 bytes). BOOLEAN: a `boolean`. NULL: `null`.
 * The column's declared type, not the JS type, says whether a number is INT or FLOAT.
 */
export type SqlValue = null | boolean | number | bigint | string;

/** One row, values in the table's column order. */
export type Row = readonly SqlValue[];

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** The canonical in-memory form of an INT: number when safe, bigint otherwise. */
export function canonicalInt(value: number | bigint): number | bigint {
  if (typeof value === 'number') return value;
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(value);
  }
  return value;
}
