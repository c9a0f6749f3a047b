import type { SqlValue } from '../storage/index.js';
import { yieldToEventLoop } from '../lib/index.js';

/** The kinds of value that compare with each other (compareValues refuses mixing them). */
type Family = 'string' | 'numeric' | 'boolean';

function familyOf(value: SqlValue): Family | null {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'numeric';
  if (typeof value === 'boolean') return 'boolean';
  return null;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A key equal for two values of one family exactly when compareValues says they are equal:
 * integers compare by value whether number or bigint, NaN equals NaN, -0 equals 0 (the Set's
 * SameValueZero gives the last two). Strings, booleans and numbers up to 2^53 are their own
 * key (a set holds one family, so they never meet); only integers past 2^53 become text. A
 * list of 300,000 INTs then builds no string per item.
 */
function equalityKey(value: string | number | bigint | boolean): unknown {
  if (typeof value === 'bigint') return value >= -SAFE && value <= SAFE ? Number(value) : `i${value}`;
  if (typeof value !== 'number' || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
  return `i${BigInt(value)}`;
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
  const keys = new Set<unknown>();
  const seen = { family: null as Family | null, sawNull: false };
  for (const item of items) if (!addItem(item, keys, seen)) return null;
  return inSetOf(keys, seen.family, seen.sawNull);
}

/** Constant IN lists this long become a hash set (shorter ones scan faster than they hash). */
export const IN_SET_MIN_ITEMS = 8;

/** Items added to a set between two turns of the event loop. */
const ITEMS_PER_SLICE = 8_192;

/** buildInSet for a list a subquery answered, which may hold a million items: yields between slices. */
export async function buildInSetYielding(items: readonly SqlValue[]): Promise<InSet | null> {
  const keys = new Set<unknown>();
  const seen = { family: null as Family | null, sawNull: false };
  for (let i = 0; i < items.length; i++) {
    if (!addItem(items[i] ?? null, keys, seen)) return null;
    if (i % ITEMS_PER_SLICE === ITEMS_PER_SLICE - 1) await yieldToEventLoop();
  }
  return inSetOf(keys, seen.family, seen.sawNull);
}

/** Adds one item's key; false when it is of another family than the items before it. */
function addItem(item: SqlValue, keys: Set<unknown>, seen: { family: Family | null; sawNull: boolean }): boolean {
  if (item === null) {
    seen.sawNull = true;
    return true;
  }
  const itemFamily = familyOf(item);
  if (itemFamily === null || (seen.family !== null && itemFamily !== seen.family)) return false;
  seen.family = itemFamily;
  keys.add(equalityKey(item));
  return true;
}

function inSetOf(keys: ReadonlySet<unknown>, family: Family | null, sawNull: boolean): InSet {
  return {
    lookup(value: SqlValue): boolean | null | undefined {
      if (value === null) return undefined;
      // A list of only NULLs: no value is in it, and whether it is stays unknown.
      if (family === null) return sawNull ? null : false;
      if (familyOf(value) !== family) return undefined;
      if (keys.has(equalityKey(value as string | number | bigint | boolean))) return true;
      return sawNull ? null : false;
    },
  };
}
