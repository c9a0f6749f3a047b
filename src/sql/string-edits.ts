import { characterCount, characterSlice, reversedCharacters } from './code-points.js';
import { ChronosError } from '../lib/index.js';
import type { ScalarFunction } from './functions.js';
import { checkStringLength } from './string-limit.js';
import { text, typed } from './string-functions.js';

/** Arguments as given, or null when one is NULL (NULL in, NULL out). */
function present<T>(args: readonly unknown[]): T | null {
  return args.some((a) => a === null) ? null : (args as unknown as T);
}

/** The first `n` characters; a negative `n` leaves off the last -n (PostgreSQL's left). */
function leftChars(s: string, n: number): string {
  return characterSlice(s, 0, n < 0 ? Math.max(0, characterCount(s) + n) : n);
}

/** The last `n` characters; a negative `n` leaves off the first -n (PostgreSQL's right). */
function rightChars(s: string, n: number): string {
  const count = characterCount(s);
  return characterSlice(s, n < 0 ? Math.min(count, -n) : Math.max(0, count - n));
}

/** `s` filled with `fill` to `length` characters on one side, or cut to `length` on the right. */
function pad(name: string, s: string, length: number, fill: string, onLeft: boolean): string {
  const count = characterCount(s);
  if (length <= count) return characterSlice(s, 0, Math.max(0, length));
  const fillCount = characterCount(fill);
  if (fillCount === 0) return s;
  checkStringLength(length, `${name}()`);
  const missing = length - count;
  // Whole fills natively, then the characters that start the next one.
  const padding = fill.repeat(Math.floor(missing / fillCount)) + characterSlice(fill, 0, missing % fillCount);
  return onLeft ? padding + s : s + padding;
}

function padFunction(name: string, onLeft: boolean): ScalarFunction {
  return {
    arity: [2, 3],
    resultType: typed(name, 'SIS', 'STRING'),
    evaluate: (args) => {
      const given = present<[string, number | bigint, string?]>(args);
      if (given === null) return null;
      return pad(name, given[0], Number(given[1]), given[2] ?? ' ', onLeft);
    },
  };
}

/** `s` `n` times over (none for n < 1), refused past the string limit before it is built. */
function repeatString(s: string, n: number): string {
  const times = Math.max(0, n);
  checkStringLength(s.length * times, 'repeat()');
  return s.repeat(times);
}

/** A STRING function of a string and an INT count: NULL in, NULL out. */
function ofStringAndCount(name: string, f: (s: string, n: number) => string): ScalarFunction {
  return {
    arity: [2, 2],
    resultType: typed(name, 'SI', 'STRING'),
    evaluate: (args) => {
      const given = present<[string, number | bigint]>(args);
      return given === null ? null : f(given[0], Number(given[1]));
    },
  };
}

/** Field `n` of `s` split at `delimiter`, 1-based; a negative `n` counts from the end. */
function splitPart(s: string, delimiter: string, n: number): string {
  if (n === 0) throw new ChronosError('INVALID_ARGUMENT', 'split_part(): field position must not be zero');
  if (delimiter === '') return n === 1 || n === -1 ? s : '';
  // Walk to the field with indexOf rather than split a long text into every field; a field
  // counted from the end is first counted from the start, as split would place it.
  const field = n > 0 ? n : occurrences(s, delimiter) + 2 + n;
  let start = 0;
  for (let i = 1; i < field; i++) {
    const at = s.indexOf(delimiter, start);
    if (at < 0) return '';
    start = at + delimiter.length;
  }
  if (field < 1) return '';
  const next = s.indexOf(delimiter, start);
  return s.slice(start, next < 0 ? s.length : next);
}

/** How many times `delimiter` (not '') occurs in `s`, left to right without overlap. */
function occurrences(s: string, delimiter: string): number {
  let count = 0;
  for (let at = s.indexOf(delimiter); at >= 0; at = s.indexOf(delimiter, at + delimiter.length)) count++;
  return count;
}

/** PostgreSQL's string functions that cut, pad, repeat, reverse, split and join. */
export const STRING_EDITS: Readonly<Record<string, ScalarFunction>> = {
  left: ofStringAndCount('left', leftChars),
  right: ofStringAndCount('right', rightChars),
  lpad: padFunction('lpad', true),
  rpad: padFunction('rpad', false),
  repeat: ofStringAndCount('repeat', repeatString),
  reverse: {
    arity: [1, 1],
    resultType: typed('reverse', 'S', 'STRING'),
    evaluate: (args) => (typeof args[0] === 'string' ? reversedCharacters(args[0]) : null),
  },
  starts_with: {
    arity: [2, 2],
    resultType: typed('starts_with', 'SS', 'BOOLEAN'),
    evaluate: (args) => {
      const given = present<[string, string]>(args);
      return given === null ? null : given[0].startsWith(given[1]);
    },
  },
  split_part: {
    arity: [3, 3],
    resultType: typed('split_part', 'SSI', 'STRING'),
    evaluate: (args) => {
      const given = present<[string, string, number | bigint]>(args);
      return given === null ? null : splitPart(given[0], given[1], Number(given[2]));
    },
  },
  concat_ws: {
    arity: [2, 100],
    resultType: (args) => typed('concat_ws', 'S', 'STRING')(args.slice(0, 1)),
    textArguments: true,
    // The separator NULL makes NULL; NULL values are skipped (PostgreSQL's).
    evaluate: (args) => {
      const [separator, ...values] = args;
      if (separator === null || separator === undefined) return null;
      const parts = values.filter((v) => v !== null).map(text);
      const joined = parts.join(separator as string);
      checkStringLength(joined.length, 'concat_ws()');
      return joined;
    },
  },
};
