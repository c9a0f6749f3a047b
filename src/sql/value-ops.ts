import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { canonicalInt, INT64_MAX, INT64_MIN } from '../storage/index.js';

/** Ordering key of a UTF-16 code unit such that code-unit order equals UTF-8 byte order. */
function utf8Rank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** Compare strings by their UTF-8 bytes (code-unit order differs only above U+D7FF). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function compareNumeric(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    // NaN sorts above every number, as in PostgreSQL.
    return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  }
  if (typeof a === 'number' && !Number.isInteger(a)) {
    return Number.isNaN(a) ? 1 : a < Number(b) ? -1 : 1;
  }
  if (typeof b === 'number' && !Number.isInteger(b)) {
    return Number.isNaN(b) ? -1 : Number(a) < b ? -1 : 1;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Total order of two non-null values of comparable types (numbers, strings, booleans). */
export function compareValues(a: SqlValue, b: SqlValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const aNumeric = typeof a === 'number' || typeof a === 'bigint';
  if (aNumeric && (typeof b === 'number' || typeof b === 'bigint')) {
    return compareNumeric(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  throw new ChronosError(
    'TYPE_MISMATCH',
    `Type mismatch: cannot compare ${printType(a)} with ${printType(b)}`,
  );
}

/** Compare two ORDER BY key values: direction applied, NULLs placed as the order says. */
export function compareSortKey(a: SqlValue, b: SqlValue, order: SortOrder): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === order.nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b);
  return order.descending ? -c : c;
}

/** Direction of one ORDER BY key. */
export interface SortOrder {
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

function printType(v: SqlValue): string {
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOLEAN';
  return 'number';
}

/** True when two static types may be compared (numbers with numbers, same otherwise). */
export function comparableTypes(a: SqlType | null, b: SqlType | null): boolean {
  if (a === null || b === null || a === b) return true;
  return (a === 'INT' || a === 'FLOAT') && (b === 'INT' || b === 'FLOAT');
}

function overflow(op: string): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', `INT overflow in '${op}' (beyond int64)`);
}

/** `value` as an INT, or the INT overflow error naming `op` when it is beyond int64. */
export function checkedBig(value: bigint, op: string): number | bigint {
  if (value > INT64_MAX || value < INT64_MIN) throw overflow(op);
  return canonicalInt(value);
}

/** INT arithmetic with int64 overflow detection; number fast path, bigint beyond 2^53. */
export function intArithmetic(
  op: '+' | '-' | '*' | '/' | '%',
  a: number | bigint,
  b: number | bigint,
): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    let r: number;
    switch (op) {
      case '+': r = a + b; break;
      case '-': r = a - b; break;
      case '*': r = a * b; break;
      case '/':
        if (b === 0) throw divisionByZero();
        r = Math.trunc(a / b);
        break;
      case '%':
        if (b === 0) throw divisionByZero();
        r = a % b;
        break;
    }
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  switch (op) {
    case '+': return checkedBig(x + y, op);
    case '-': return checkedBig(x - y, op);
    case '*': return checkedBig(x * y, op);
    case '/':
      if (y === 0n) throw divisionByZero();
      return checkedBig(x / y, op);
    case '%':
      if (y === 0n) throw divisionByZero();
      return checkedBig(x % y, op);
  }
}

/** FLOAT arithmetic (IEEE); division by zero is an error as for INT. */
export function floatArithmetic(op: '+' | '-' | '*' | '/' | '%', a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/':
      if (b === 0) throw divisionByZero();
      return a / b;
    case '%':
      if (b === 0) throw divisionByZero();
      return a % b;
  }
}

function divisionByZero(): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', 'Division by zero');
}

/** A number for FLOAT use (an INT bigint becomes the nearest double). */
export function toFloat(v: number | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

/** SQL name of a value's type, for messages. */
export function typeOfValue(v: SqlValue, intLike: boolean): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'bigint') return 'INT';
  return intLike && Number.isInteger(v) ? 'INT' : 'FLOAT';
}

/** Convert `value` of static type `from` into a column of type `to`; throws TYPE_MISMATCH. */
export function coerceToColumn(
  value: SqlValue,
  from: SqlType | null,
  to: SqlType,
  where: string,
): SqlValue {
  if (value === null) return null;
  if (to === 'FLOAT' && (from === 'INT' || from === 'FLOAT')) {
    return toFloat(value as number | bigint);
  }
  if (to === from) return value;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  throw new ChronosError(
    'TYPE_MISMATCH',
    `Type mismatch: column ${where} is ${to}, got ${from ?? 'NULL'} ${shown}`,
    { details: { column: where } },
  );
}
