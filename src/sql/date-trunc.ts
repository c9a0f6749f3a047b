import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { numericArgument } from './argument-types.js';
import { inDateRange, SECONDS_PER_DAY } from './date-range.js';
import type { ScalarFunction } from './functions.js';

// date_trunc(unit, ts) is PostgreSQL's, over unix seconds (what ts columns hold) and answering
// unix seconds: the start, in UTC, of the second, minute, ..., year ts falls in. Beside
// time_bucket's even widths it takes the uneven units: weeks (from Monday), months, quarters
// and years.

const EVEN_UNITS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: SECONDS_PER_DAY };
const CALENDAR_UNITS = new Set(['week', 'month', 'quarter', 'year']);
const REFUSED_UNITS = new Set(['microsecond', 'millisecond', 'decade', 'century', 'centurie', 'millennium', 'millennia']);
const UNIT_LIST = 'second, minute, hour, day, week, month, quarter, year';

/** The unit as date_trunc knows it ('hours' is 'hour'), or an error naming it. */
function unitOf(text: string): string {
  const lower = text.trim().toLowerCase();
  const singular = lower.endsWith('s') ? lower.slice(0, -1) : lower;
  if (REFUSED_UNITS.has(singular)) throw new ChronosError('UNSUPPORTED', `Unsupported: date_trunc() unit '${text}' (${UNIT_LIST})`);
  if (EVEN_UNITS[singular] !== undefined || CALENDAR_UNITS.has(singular)) return singular;
  throw new ChronosError('INVALID_ARGUMENT', `date_trunc(): unknown unit '${text}' (${UNIT_LIST})`);
}

/** The first second of the week, month, quarter or year `seconds` falls in. */
function calendarStart(unit: string, seconds: number): number {
  const day = Math.floor(seconds / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const date = new Date(day * 1000);
  if (unit === 'week') return day - ((date.getUTCDay() + 6) % 7) * SECONDS_PER_DAY;
  const month = unit === 'month' ? date.getUTCMonth() : unit === 'quarter' ? date.getUTCMonth() - (date.getUTCMonth() % 3) : 0;
  const start = new Date(0);
  start.setUTCFullYear(date.getUTCFullYear(), month, 1);
  return start.getTime() / 1000;
}

function truncated(unit: string, value: SqlValue): SqlValue {
  if (value === null) return null;
  const seconds = Math.floor(Number(value));
  if (!inDateRange(seconds)) return null;
  const width = EVEN_UNITS[unit];
  return width !== undefined ? Math.floor(seconds / width) * width : calendarStart(unit, seconds);
}

function timeArgument(t: SqlType | null): void {
  if (t === 'STRING') {
    throw new ChronosError('TYPE_MISMATCH', 'Type mismatch: date_trunc() needs unix seconds (a number), got STRING; ' +
      "read a text date with unixepoch(text) first: date_trunc('day', unixepoch('2023-11-14 22:13:20'))");
  }
  numericArgument('date_trunc', t);
}

/** `date_trunc(unit, ts)`: INT unix seconds. */
export const DATE_TRUNC: ScalarFunction = {
  arity: [2, 2],
  resultType: (args) => {
    if (args[0] !== null && args[0] !== 'STRING') {
      throw new ChronosError('TYPE_MISMATCH', `Type mismatch: date_trunc() unit must be a STRING, got ${args[0]}`);
    }
    timeArgument(args[1] ?? null);
    return 'INT';
  },
  evaluate: (args) => (args[0] === null || args[0] === undefined ? null : truncated(unitOf(String(args[0])), args[1] ?? null)),
};
