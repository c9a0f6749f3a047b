import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { applyModifier } from './date-modifiers.js';
import { DATE_PART, EXTRACT } from './date-part.js';
import { DATE_TRUNC } from './date-trunc.js';
import type { ScalarFunction } from './functions.js';
import { parseDateText, type DateFields, type DateText } from './date-text.js';
import { unixMicros } from './unix-micros.js';

// Times are unix SECONDS (INT or FLOAT), like ts columns, time_bucket and now(). 'now' is the
// statement's time, fixed by the leader for a write, so every replica computes the same text.

const MS_PER_DAY = 86_400_000;
/** sqlite's date range, years 0000-9999: outside it the date functions answer NULL. */
const MIN_MS = new Date("0000-01-01T00:00:00Z").getTime();
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Modifiers one call may take ('unixepoch' included). */
const MODIFIERS_MAX = 10;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Midnight UTC of January 1st of `year` (Date.UTC would read years 0-99 as 1900-1999). */
function yearStartMs(year: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, 0, 1);
  return date.getTime();
}

/** A number written as text, spaces around it allowed, as sqlite reads one. */
const NUMBER_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function isUnixepoch(modifier: SqlValue | undefined): boolean {
  return typeof modifier === 'string' && modifier.trim().toLowerCase() === 'unixepoch';
}

/**
 * The instant (ms since the epoch) a date function's time argument and modifiers name; null
 * where sqlite answers NULL (not a date, or moved out of years 0000-9999).
 */
function instantOf(name: string, value: SqlValue, modifiers: readonly SqlValue[], nowMs: number): DateText | null {
  let ms: number | null;
  let rest = modifiers;
  let fields: DateFields | null = null;
  // A text that is a number is that number to sqlite ('1700000000' with 'unixepoch').
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) value = Number(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (!isUnixepoch(modifiers[0])) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `${name}(): a number needs the 'unixepoch' modifier first, e.g. ${name}(ts, 'unixepoch') (unix seconds)`,
      );
    }
    ms = Math.round(Number(value) * 1000);
    rest = modifiers.slice(1);
  } else if (typeof value === 'string') {
    const parsed = value.trim().toLowerCase() === 'now' ? { ms: nowMs, fields: null } : parseDateText(value);
    ms = parsed?.ms ?? null;
    // A modifier moves the instant: the text's own fields no longer show it.
    fields = rest.length === 0 ? parsed?.fields ?? null : null;
  } else {
    return null;
  }
  for (const modifier of rest) {
    if (ms === null || !(ms >= MIN_MS && ms <= MAX_MS)) return null;
    ms = applyModifier(name, ms, String(modifier));
  }
  return ms === null || !(ms >= MIN_MS && ms <= MAX_MS) ? null : { ms, fields };
}

/**
 * Longest strftime() format: each field costs a call per row, and a format of 16 Mi characters
 * took 7 s of the event loop and made a text twice the string limit.
 */
const FORMAT_LENGTH_MAX = 1024;

/**
 * `format` filled in for instant `ms`. Where the text's own `fields` are known, the date, hour,
 * minute and second come from them, as sqlite shows them: the seconds truncated, %f its
 * fraction to three places (at most 59.999); %s, %j and %w come from the instant.
 */
function formatted(ms: number, format: string, fields: DateFields | null = null): string {
  if (format.length > FORMAT_LENGTH_MAX) {
    throw new ChronosError('LIMIT_EXCEEDED', `strftime() format of ${format.length} characters, over the limit of ${FORMAT_LENGTH_MAX}`);
  }
  const d = new Date(ms);
  const shown = fields ?? {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(),
    minute: d.getUTCMinutes(), second: d.getUTCSeconds() + d.getUTCMilliseconds() / 1000,
  };
  const letters: Readonly<Record<string, () => string>> = {
    Y: () => pad(shown.year, 4), m: () => pad(shown.month, 2),
    d: () => pad(shown.day, 2), H: () => pad(shown.hour, 2),
    M: () => pad(shown.minute, 2), S: () => pad(Math.floor(shown.second), 2),
    f: () => Math.min(shown.second, 59.999).toFixed(3).padStart(6, '0'),
    s: () => String(Math.floor(ms / 1000)), w: () => String(d.getUTCDay()),
    j: () => pad(Math.floor((ms - yearStartMs(d.getUTCFullYear())) / MS_PER_DAY) + 1, 3),
    '%': () => '%',
  };
  return format.replace(/%(.)/g, (_all, letter: string) => {
    const field = letters[letter];
    if (field === undefined) {
      throw new ChronosError('UNSUPPORTED', `Unsupported: strftime() format %${letter} (%Y %m %d %H %M %S %f %s %j %w %%)`);
    }
    return field();
  });
}

function needTime(name: string, args: readonly (SqlType | null)[]): void {
  args.slice(1).forEach((t) => {
    if (t !== null && t !== 'STRING') {
      throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() modifiers are STRINGs, got ${t}`);
    }
  });
  if (args[0] === 'BOOLEAN') throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a time, got BOOLEAN`);
}

/** datetime/date/time/unixepoch: (time [, 'unixepoch']) in sqlite's forms. */
function sqliteForm(name: string, format: string, result: SqlType): ScalarFunction {
  return {
    arity: [1, 1 + MODIFIERS_MAX],
    resultType: (args) => (needTime(name, args), result),
    evaluate: (args, nowMs) => {
      if (args.some((a) => a === null)) return null;
      const instant = instantOf(name, args[0] ?? null, args.slice(1), nowMs);
      if (instant === null) return null;
      const text = formatted(instant.ms, format, instant.fields);
      return result === 'INT' ? Number(text) : text;
    },
  };
}

/**
 * PostgreSQL's to_timestamp(unix seconds) as its text form in UTC: `2023-11-14 22:13:20+00`.
 * Year 0 is 1 BC, which PostgreSQL writes `0001-12-31 23:59:59+00 BC`.
 */
function toTimestamp(value: number): string {
  const micros = Number.isFinite(value) ? unixMicros(value) : null;
  const ms = micros === null ? NaN : Number(micros / 1000n - (micros % 1000n < 0n ? 1n : 0n));
  if (micros === null || !(ms >= MIN_MS && ms <= MAX_MS)) {
    throw new ChronosError('INVALID_ARGUMENT', `to_timestamp(): ${value} is out of the supported range (years 0 to 9999)`);
  }
  const fraction = Number(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
  const tail = fraction === 0 ? '' : `.${pad(fraction, 6).replace(/0+$/, '')}`;
  const text = `${formatted(ms, '%Y-%m-%d %H:%M:%S')}${tail}+00`;
  return text.startsWith('0000-') ? `0001-${text.slice(5)} BC` : text;
}

/** Date functions that show unix seconds as text and read text back. */
export const DATE_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = {
  datetime: sqliteForm('datetime', '%Y-%m-%d %H:%M:%S', 'STRING'),
  date: sqliteForm('date', '%Y-%m-%d', 'STRING'),
  time: sqliteForm('time', '%H:%M:%S', 'STRING'),
  unixepoch: sqliteForm('unixepoch', '%s', 'INT'),
  strftime: {
    arity: [2, 2 + MODIFIERS_MAX],
    resultType: (args) => {
      if (args[0] !== null && args[0] !== 'STRING') throw new ChronosError('TYPE_MISMATCH', 'Type mismatch: strftime() format must be a STRING');
      needTime('strftime', args.slice(1));
      return 'STRING';
    },
    evaluate: (args, nowMs) => {
      if (args.some((a) => a === null)) return null;
      const instant = instantOf('strftime', args[1] ?? null, args.slice(2), nowMs);
      return instant === null ? null : formatted(instant.ms, args[0] as string, instant.fields);
    },
  },
  date_trunc: DATE_TRUNC,
  date_part: DATE_PART,
  extract: EXTRACT,
  to_timestamp: {
    arity: [1, 1],
    resultType: (args) => {
      if (args[0] !== null && args[0] !== 'INT' && args[0] !== 'FLOAT') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: to_timestamp() needs unix seconds (a number), got ${args[0]}`);
      }
      return 'STRING';
    },
    evaluate: (args) => (args[0] === null || args[0] === undefined ? null : toTimestamp(Number(args[0]))),
  },
};
