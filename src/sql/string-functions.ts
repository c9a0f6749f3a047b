import { characterCount, characterSlice } from './code-points.js';
import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import type { ScalarFunction } from './functions.js';
import { boundedReplaceAll, checkStringLength } from './string-limit.js';

function needString(name: string, t: SqlType | null): void {
  if (t !== null && t !== 'STRING') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a STRING, got ${t}`);
  }
}

function needInt(name: string, t: SqlType | null): void {
  if (t !== null && t !== 'INT') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs an INT, got ${t}`);
  }
}

/** Argument types: S for STRING, I for INT, in order. */
export function typed(name: string, signature: string, result: SqlType) {
  return (args: readonly (SqlType | null)[]): SqlType => {
    args.forEach((t, i) => (signature[i] === 'I' ? needInt(name, t) : needString(name, t)));
    return result;
  };
}

/** PostgreSQL substr: 1-based, counted in characters; a start before 1 eats into the length. */
function substr(s: string, start: number, length: number | null): string {
  if (length !== null && length < 0) {
    throw new ChronosError('INVALID_ARGUMENT', `substr(): negative length ${length}`);
  }
  const from = Math.max(start, 1);
  const to = length === null ? characterCount(s) + 1 : start + length;
  return to <= from ? '' : characterSlice(s, from - 1, to - 1);
}

function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  const set = new Set(chars);
  // Without pairs in either, a UTF-16 unit is a character: no array of the whole string.
  const singleUnits = characterCount(s) === s.length && characterCount(chars) === chars.length;
  const units: ArrayLike<string> = singleUnits ? s : [...s];
  let from = 0;
  let to = units.length;
  while (leading && from < to && set.has(units[from] as string)) from++;
  while (trailing && to > from && set.has(units[to - 1] as string)) to--;
  return singleUnits ? s.slice(from, to) : (units as string[]).slice(from, to).join('');
}

function trimFunction(name: string, leading: boolean, trailing: boolean): ScalarFunction {
  return {
    arity: [1, 2],
    resultType: typed(name, 'SS', 'STRING'),
    evaluate: (args) => {
      const [s, chars] = args;
      if (s === null || s === undefined || chars === null) return null;
      return trimChars(s as string, chars === undefined ? ' ' : (chars as string), leading, trailing);
    },
  };
}

/** 1-based place of `needle` in `s`, counted in characters; 0 when absent, 1 for ''. */
function characterPosition(s: string, needle: string): number {
  const at = s.indexOf(needle);
  return at < 0 ? 0 : characterCount(s.slice(0, at)) + 1;
}

/** strpos(s, sub), and position(sub IN s) as the parser reads it: its arguments the other way round. */
function positionFunction(name: string, haystackFirst: boolean): ScalarFunction {
  return {
    arity: [2, 2],
    resultType: typed(name, 'SS', 'INT'),
    evaluate: (args) => {
      const [a, b] = args as [string | null, string | null];
      if (a === null || b === null) return null;
      return haystackFirst ? characterPosition(a, b) : characterPosition(b, a);
    },
  };
}

/** A value as concat() shows it: NULL as nothing. */
export function text(v: SqlValue): string {
  return v === null ? '' : String(v);
}

/** substr(s, start [, length]) and its PostgreSQL alias substring. */
const SUBSTR: ScalarFunction = {
  arity: [2, 3],
  resultType: typed('substr', 'SII', 'STRING'),
  evaluate: (args) => {
    if (args.some((a) => a === null)) return null;
    const length = args[2] === undefined ? null : Number(args[2]);
    return substr(args[0] as string, Number(args[1]), length);
  },
};

/** String functions, as PostgreSQL defines them (NULL in, NULL out, except concat). */
export const STRING_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = {
  substr: SUBSTR,
  substring: SUBSTR,
  replace: {
    arity: [3, 3],
    resultType: typed('replace', 'SSS', 'STRING'),
    evaluate: (args) => {
      const [s, from, to] = args as [string | null, string | null, string | null];
      if (s === null || from === null || to === null) return null;
      return from === '' ? s : boundedReplaceAll(s, from, to);
    },
  },
  strpos: positionFunction('strpos', true),
  position: positionFunction('position', false),
  // sqlite's name for strpos.
  instr: positionFunction('instr', true),
  trim: trimFunction('trim', true, true),
  ltrim: trimFunction('ltrim', true, false),
  rtrim: trimFunction('rtrim', false, true),
  concat: {
    arity: [1, 100],
    resultType: () => 'STRING',
    textArguments: true,
    // NULLs are skipped and other types shown as text (PostgreSQL's concat).
    evaluate: (args) => {
      const parts = args.map(text);
      checkStringLength(parts.reduce((sum, part) => sum + part.length, 0), 'concat()');
      return parts.join('');
    },
  },
};
