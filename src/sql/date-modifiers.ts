import { ChronosError } from '../lib/index.js';

// sqlite's date modifiers after the time value ('+1 day', 'start of month', 'weekday 0'),
// applied left to right to an instant in ms since the epoch, all in UTC, as sqlite computes
// them: the same rounding, months and years added to the calendar fields (so 2023-01-31
// '+1 month' is 2023-03-03), and their fractional parts added as 30 and 365 days.

const MS_PER_DAY = 86_400_000;

/**
 * Per unit of an 'NNN units' modifier: its seconds, the largest |NNN| sqlite takes, and the
 * calendar months its whole part moves (months and years; their fractions add seconds).
 */
const UNITS: Readonly<Record<string, { readonly seconds: number; readonly limit: number; readonly months: number }>> = {
  second: { seconds: 1, limit: 4.6427e14, months: 0 },
  minute: { seconds: 60, limit: 7.7379e12, months: 0 },
  hour: { seconds: 3600, limit: 1.2897e11, months: 0 },
  day: { seconds: 86_400, limit: 5_373_485, months: 0 },
  month: { seconds: 2_592_000, limit: 176_546, months: 1 },
  year: { seconds: 31_536_000, limit: 14_713, months: 12 },
};

// Each pattern reads its text in one pass: a digit can belong to one place only, so a long
// run of digits that does not match fails in linear time, never by backtracking.
/** A number as sqlite reads one in a modifier: a sign or a digit first. */
const NUMBER = String.raw`(?:[+-](?:\d+(?:\.\d*)?|\.\d+)|\d+(?:\.\d*)?)(?:e[+-]?\d+)?`;
const AMOUNT = new RegExp(String.raw`^(${NUMBER})\s+([a-z]+)$`);
const TIME_OFFSET = /^[+-]?\d+(?:\.\d*)?:/;
const WEEKDAY = new RegExp(String.raw`^weekday \s*(${NUMBER})\s*$`);
/** Longest modifier read (sqlite reads 29 characters); a longer one is refused before any pattern runs. */
const MODIFIER_LENGTH_MAX = 64;
/** Modifiers sqlite has that are refused by name: they depend on the server's zone or read numbers another way. */
const REFUSED = new Set(['localtime', 'utc', 'auto', 'julianday', 'subsec', 'subsecond']);

/** `ms` moved as `modifier` says; null when it leaves sqlite's range of Julian days. */
export function applyModifier(functionName: string, ms: number, modifier: string): number | null {
  if (modifier.length > MODIFIER_LENGTH_MAX) throw refused(functionName, modifier);
  const text = modifier.toLowerCase();
  const amount = AMOUNT.exec(text);
  if (amount !== null) return addAmount(functionName, ms, Number(amount[1]), amount[2] as string, modifier);
  if (text.startsWith('start of ')) return startOf(functionName, ms, text.slice(9), modifier);
  const weekday = WEEKDAY.exec(text);
  const wanted = weekday === null ? NaN : Number(weekday[1]);
  if (Number.isInteger(wanted) && wanted >= 0 && wanted <= 6) {
    const today = new Date(ms).getUTCDay();
    return ms + (wanted >= today ? wanted - today : wanted - today + 7) * MS_PER_DAY;
  }
  throw refused(functionName, modifier);
}

function refused(functionName: string, written: string): ChronosError {
  const modifier = written.length > MODIFIER_LENGTH_MAX ? `${written.slice(0, MODIFIER_LENGTH_MAX)}...` : written;
  const text = modifier.trim().toLowerCase();
  if (text === 'unixepoch') {
    return new ChronosError('INVALID_ARGUMENT', `${functionName}(): 'unixepoch' must come right after a number of unix seconds`);
  }
  if (REFUSED.has(text) || TIME_OFFSET.test(text)) {
    return new ChronosError('UNSUPPORTED', `Unsupported: ${functionName}() modifier '${modifier}' (times are UTC)`);
  }
  return new ChronosError('INVALID_ARGUMENT', `${functionName}(): unknown modifier '${modifier}' ` +
    "(take 'NNN days|hours|minutes|seconds|months|years', 'start of day|month|year', 'weekday N')");
}

/** 'NNN unit[s]': months and years move the calendar fields by the whole part. */
function addAmount(functionName: string, ms: number, amount: number, unitText: string, modifier: string): number | null {
  const unit = UNITS[unitText.endsWith('s') ? unitText.slice(0, -1) : unitText];
  if (unit === undefined) throw refused(functionName, modifier);
  if (!(amount > -unit.limit && amount < unit.limit)) return null;
  const rounder = amount < 0 ? -0.5 : 0.5;
  const whole = unit.months === 0 ? 0 : Math.trunc(amount);
  const start = whole === 0 ? ms : movedCalendar(ms, whole * unit.months);
  return start + Math.trunc((amount - whole) * 1000 * unit.seconds + rounder);
}

/** `ms` with its month moved by `months`; a day past the new month's end runs into the next. */
function movedCalendar(ms: number, months: number): number {
  const d = new Date(ms);
  const timeOfDay = ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
  const moved = new Date(0);
  moved.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate());
  return moved.getTime() + timeOfDay;
}

function startOf(functionName: string, ms: number, unit: string, modifier: string): number {
  const d = new Date(ms);
  const start = new Date(0);
  if (unit === 'day') start.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  else if (unit === 'month') start.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth(), 1);
  else if (unit === 'year') start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  else throw refused(functionName, modifier);
  return start.getTime();
}
