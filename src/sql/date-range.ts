/** Seconds in a UTC day (no leap seconds, as unix time counts). */
export const SECONDS_PER_DAY = 86_400;

/** 0000-01-01 00:00:00 UTC in unix seconds: the first instant the date functions answer for. */
const FIRST_SECOND = -62_167_219_200;

/** 10000-01-01 00:00:00 UTC in unix seconds: the first instant past 9999 (none from here on). */
const END_SECOND = 253_402_300_800;

/** Whether unix seconds (a fraction too) lie in years 0000-9999; outside them the date functions answer NULL. */
export function inDateRange(seconds: number): boolean {
  return seconds >= FIRST_SECOND && seconds < END_SECOND;
}
