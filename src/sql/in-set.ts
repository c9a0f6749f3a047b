import type { SqlValue } from '../storage/index.js';

/** The kinds of value that compare with each other (compareValues refuses mixing them). */
type Family = 'string' | 'numeric' | 'boolean';

function familyOf(value: SqlValue): Family | null {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'numeric';
  if (typeof value === 'boolean') return 'boolean';
  return null;
}

/**
 * A key equal for two values of one family exactly when compareValues says they are equal:
 * integers compare by value whether number or bigint, NaN equals NaN, -0 equals 0.
 */
function equalityKey(value: string | number | bigint | boolean): string {
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'bigint') return `i${value}`;
  if (Number.isNaN(value)) return 'n';
  return Number.isInteger(value) ? `i${BigInt(value)}` : `f${value}`;
}

/** A constant IN list as a hash set: O(1) per row instead of a scan of the list. */
export interface InSet {
  /** true/false when the value is/isn't in the list; null when the list can't tell (see below). */
  lookup(value: SqlValue): boolean | null | undefined;
}

/**
 * Builds the set of a constant list whose non-null items share one family, or null when they
 * don't (the caller then scans). `lookup` answers undefined for a value of another family, so
 * the caller's scan reports the type mismatch as before; null means "not in the list, but the
 * list holds a NULL" (SQL's unknown).
 */
export function buildInSet(items: readonly SqlValue[]): InSet | null {
  let family: Family | null = null;
  let sawNull = false;
  const keys = new Set<string>();
  for (const item of items) {
    if (item === null) {
      sawNull = true;
      continue;
    }
    const itemFamily = familyOf(item);
    if (itemFamily === null || (family !== null && itemFamily !== family)) return null;
    family = itemFamily;
    keys.add(equalityKey(item));
  }
  return {
    lookup(value: SqlValue): boolean | null | undefined {
      if (value === null || familyOf(value) !== family) return undefined;
      if (keys.has(equalityKey(value as string | number | bigint | boolean))) return true;
      return sawNull ? null : false;
    },
  };
}
