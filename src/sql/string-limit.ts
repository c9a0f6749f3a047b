import { ChronosError } from '../lib/index.js';
import { chargeCharacters } from './work-meter.js';

/**
 * Longest string an expression may build, in UTF-16 units: the statement limit's default
 * (16 MiB), so no value a query makes is larger than one a statement could have written.
 * Nested `replace` multiplies lengths: without a bound one short query asks V8 for gigabytes
 * and fails with a bare RangeError, or first holds the event loop while it copies them.
 */
export const MAX_STRING_LENGTH = 16 * 1024 * 1024;

/** Throws LIMIT_EXCEEDED, naming `what` made it, when `length` is past MAX_STRING_LENGTH. */
export function checkStringLength(length: number, what: string): void {
  chargeCharacters(length);
  if (length > MAX_STRING_LENGTH) {
    throw new ChronosError('LIMIT_EXCEEDED',
      `${what} would make a string of ${length} characters, over the limit of ${MAX_STRING_LENGTH}`);
  }
}

/** `s` with every `from` replaced by `to`, refused before it is built when it would be too long. */
export function boundedReplaceAll(s: string, from: string, to: string): string {
  if (to.length > from.length) {
    let count = 0;
    for (let at = s.indexOf(from); at >= 0; at = s.indexOf(from, at + from.length)) count += 1;
    checkStringLength(s.length + count * (to.length - from.length), 'replace()');
  }
  return s.replaceAll(from, to);
}
