/**
 * The fields a date text names, as sqlite keeps them for output while nothing moves the date:
 * `second` keeps its fraction, so '23:59:59.9999' shows 23:59:59 although its instant (rounded
 * to the millisecond) is the next day's midnight.
 */
export interface DateFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** A date text read: its instant (ms since the epoch), and its fields unless a zone moved it. */
export interface DateText {
  readonly ms: number;
  readonly fields: DateFields | null;
}

/** sqlite's time zone suffix: 'Z', or [+-]HH:MM with HH at most 14. */
const ZONE = String.raw`\s*(?:[zZ]|([+-])(\d{2}):(\d{2}))`;
const TIME = String.raw`(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:${ZONE})?\s*`;
/** A date, then spaces and Ts in any mix and a time (or nothing), as sqlite skips them. */
const DATE_TEXT = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[\sT]+(?:${TIME})?)?$`);
/** A time alone is a time of 2000-01-01, to sqlite. */
const TIME_TEXT = new RegExp(`^${TIME}$`);

/** Days in `month` (1-12) of `year`, leap years included. */
function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/**
 * Reads 'YYYY-MM-DD[( |T)HH:MM[:SS[.fff]][zone]]', or 'HH:MM[:SS[.fff]][zone]' alone, as sqlite
 * does (nothing before it): a time may carry 'Z' or an offset from UTC ('+02:00' is two hours
 * ahead, so 10:00+02:00 is 08:00 UTC). The instant is rounded to the millisecond, as sqlite's.
 */
export function parseDateText(text: string): DateText | null {
  const date = DATE_TEXT.exec(text);
  const time = date === null ? TIME_TEXT.exec(text) : null;
  if (date === null && time === null) return null;
  const [, y = '2000', mo = '01', d = '01'] = date ?? [];
  const timeGroups = date !== null ? date.slice(4) : (time as RegExpExecArray).slice(1);
  const [h = '0', mi = '0', s = '0', frac = '', sign, zoneH = '0', zoneM = '0'] = timeGroups;
  // A field out of range is not a date (NULL, as sqlite answers), never rolled into another one.
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // sqlite takes hour 24 (shown as 24, the instant in the next day).
  if (Number(h) > 24 || Number(mi) > 59 || Number(s) > 59) return null;
  if (Number(zoneH) > 14 || Number(zoneM) > 59) return null;
  const second = Number(s) + (frac === '' ? 0 : Number(`0${frac}`));
  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, day);
  const offsetMs = (Number(zoneH) * 60 + Number(zoneM)) * 60_000;
  const ms = midnight.getTime() + (Number(h) * 60 + Number(mi)) * 60_000 + Math.floor(second * 1000 + 0.5)
    - (sign === '-' ? -offsetMs : sign === '+' ? offsetMs : 0);
  return { ms, fields: offsetMs === 0 ? { year, month, day, hour: Number(h), minute: Number(mi), second } : null };
}
