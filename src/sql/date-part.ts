import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { numericArgument } from './argument-types.js';
import { inDateRange, SECONDS_PER_DAY } from './date-range.js';
import type { ScalarFunction } from './functions.js';
import { unixMicros } from './unix-micros.js';

// date_part(field, ts) and EXTRACT(field FROM ts) are PostgreSQL's, over unix seconds (what
// ts columns hold), in UTC, answering a FLOAT as date_part's double does: hour, day of week,
// ISO week and the rest of one instant.

const FIELD_LIST = 'epoch, second, millisecond, microsecond, minute, hour, day, dow, isodow, doy, week, month, quarter, year, isoyear, decade, century, millennium';
const PLURALS: Readonly<Record<string, string>> = {
  seconds: 'second', milliseconds: 'millisecond', microseconds: 'microsecond', minutes: 'minute', hours: 'hour',
  days: 'day', weeks: 'week', months: 'month', quarters: 'quarter', years: 'year', decades: 'decade',
  centuries: 'century', millennia: 'millennium', millenniums: 'millennium',
};
const REFUSED_FIELDS = new Set(['julian', 'timezone', 'timezone_hour', 'timezone_minute']);

/** The fields of one instant that come from its calendar date. */
interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 0 = Sunday, as PostgreSQL's dow. */
  readonly weekday: number;
  readonly dayOfYear: number;
}

function calendarDate(seconds: number): CalendarDate {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const date = new Date(days * SECONDS_PER_DAY * 1000);
  const year = date.getUTCFullYear();
  const start = new Date(0);
  start.setUTCFullYear(year, 0, 1);
  return {
    year, month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay(),
    dayOfYear: days - start.getTime() / 1000 / SECONDS_PER_DAY + 1,
  };
}

/** The ISO week-numbering year and week: a week belongs to the year that holds its Thursday. */
function isoWeek(seconds: number): { readonly year: number; readonly week: number } {
  const { weekday } = calendarDate(seconds);
  const thursday = calendarDate(seconds + (3 - ((weekday + 6) % 7)) * SECONDS_PER_DAY);
  return { year: thursday.year, week: Math.floor((thursday.dayOfYear - 1) / 7) + 1 };
}

/** PostgreSQL's year number: there is no year 0, the year before 1 AD is -1 (1 BC). */
function beforeChrist(year: number): number {
  return year > 0 ? year : year - 1;
}

/** A year's century or millennium: 2000 is in the 20th century, 2001 in the 21st; year 0 is 1 BC. */
function ordinalSpan(year: number, span: number): number {
  return year > 0 ? Math.ceil(year / span) : -Math.ceil((1 - year) / span);
}

function fieldValue(field: string, seconds: number): number {
  // Whole microseconds into the minute, as PostgreSQL holds a timestamp: a fraction of a double
  // would show digits past them (20.12345600128174 for 20.123456).
  const whole = Number.isInteger(seconds);
  const micros = whole ? BigInt(seconds) * 1_000_000n : unixMicros(seconds);
  const inMinute = Number(((micros % 60_000_000n) + 60_000_000n) % 60_000_000n);
  switch (field) {
    case 'epoch': return whole ? seconds : Number(micros) / 1e6;
    case 'second': return inMinute / 1e6;
    case 'millisecond': return inMinute / 1000;
    case 'microsecond': return inMinute;
    case 'minute': return Math.floor(seconds / 60) - Math.floor(seconds / 3600) * 60;
    case 'hour': return Math.floor(seconds / 3600) - Math.floor(seconds / SECONDS_PER_DAY) * 24;
    case 'week': return isoWeek(seconds).week;
    case 'isoyear': return beforeChrist(isoWeek(seconds).year);
    default: return dateField(field, calendarDate(seconds));
  }
}

function dateField(field: string, date: CalendarDate): number {
  switch (field) {
    case 'day': return date.day;
    case 'dow': return date.weekday;
    case 'isodow': return date.weekday === 0 ? 7 : date.weekday;
    case 'doy': return date.dayOfYear;
    case 'month': return date.month;
    case 'quarter': return Math.floor((date.month - 1) / 3) + 1;
    case 'year': return beforeChrist(date.year);
    case 'decade': return Math.floor(date.year / 10);
    case 'century': return ordinalSpan(date.year, 100);
    default: return ordinalSpan(date.year, 1000);
  }
}

/** The field as date_part knows it ('hours' is 'hour'), or an error naming it. */
export function dateFieldOf(name: string, text: string): string {
  const lower = text.trim().toLowerCase();
  const field = PLURALS[lower] ?? lower;
  if (REFUSED_FIELDS.has(field)) throw new ChronosError('UNSUPPORTED', `Unsupported: ${name}() field '${text}' (${FIELD_LIST}; times are UTC)`);
  if (FIELD_LIST.split(', ').includes(field)) return field;
  throw new ChronosError('INVALID_ARGUMENT', `${name}(): unknown field '${text}' (${FIELD_LIST})`);
}

function datePart(field: string, value: SqlValue): SqlValue {
  if (value === null) return null;
  const seconds = Number(value);
  if (!inDateRange(seconds)) return null;
  return fieldValue(field, seconds);
}

/** `date_part(field, ts)`, and `extract(field FROM ts)` as the parser writes it: a FLOAT. */
function datePartFunction(name: string): ScalarFunction {
  return {
    arity: [2, 2],
    resultType: (args: readonly (SqlType | null)[]) => {
      if (args[0] !== null && args[0] !== 'STRING') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() field must be a STRING, got ${args[0]}`);
      }
      if (args[1] === 'STRING') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs unix seconds (a number), got STRING; ` +
          "read a text date with unixepoch(text) first: date_part('hour', unixepoch('2023-11-14 22:13:20'))");
      }
      numericArgument(name, args[1] ?? null);
      return 'FLOAT';
    },
    evaluate: (args) => (args[0] === null || args[0] === undefined ? null : datePart(dateFieldOf(name, String(args[0])), args[1] ?? null)),
  };
}

export const DATE_PART = datePartFunction('date_part');
export const EXTRACT = datePartFunction('extract');
