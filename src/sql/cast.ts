import { ChronosError } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import { canonicalInt, INT64_MAX, INT64_MIN } from '../storage/index.js';
import type { Expr } from './ast.js';
import type { CompileContext, Compiled } from './compile.js';
import { floatText } from './float-text.js';
import { printExpr } from './print.js';

type Compile = (expr: Expr, ctx: CompileContext) => Compiled;

/** PostgreSQL's words for a BOOLEAN and their unique prefixes ('o' could be on or off). */
const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 'tru', 'tr', 't', 'yes', 'ye', 'y', 'on', '1']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'fals', 'fal', 'fa', 'f', 'no', 'n', 'off', 'of', '0']);

/** Characters of a text that could not be cast that the error shows. */
const SHOWN_MAX = 200;

function invalid(value: SqlValue, type: SqlType): ChronosError {
  const text = typeof value === 'string' && value.length > SHOWN_MAX ? `${value.slice(0, SHOWN_MAX)}...` : value;
  const shown = typeof text === 'string' ? `'${text}'` : String(text);
  return new ChronosError('INVALID_ARGUMENT', `Cannot cast ${shown} to ${type}`);
}

/** A double to INT as PostgreSQL does: round half to even; out of int64 is an error. */
function floatToInt(v: number): number | bigint {
  if (!Number.isFinite(v)) throw invalid(v, 'INT');
  const floor = Math.floor(v);
  const diff = v - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  if (Number.isSafeInteger(rounded)) return rounded === 0 ? 0 : rounded;
  const big = BigInt(rounded);
  if (big > INT64_MAX || big < INT64_MIN) throw invalid(v, 'INT');
  return canonicalInt(big);
}

function stringToInt(s: string): number | bigint {
  const text = s.trim();
  if (!/^[+-]?\d+$/.test(text)) throw invalid(s, 'INT');
  const big = BigInt(text);
  if (big > INT64_MAX || big < INT64_MIN) throw invalid(s, 'INT');
  return canonicalInt(big);
}

/** The non-finite FLOATs as PostgreSQL reads them, in any case: the words our text writes. */
const NON_FINITE_TEXT = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * Text to FLOAT as PostgreSQL reads it: a decimal number, or 'NaN', 'Infinity', '-Infinity',
 * 'inf' (any case, spaces around). A number beyond the double range is refused, as the same
 * number written as a literal is, rather than read as Infinity.
 */
function stringToFloat(s: string): number {
  const text = s.trim();
  const word = NON_FINITE_TEXT.exec(text);
  if (word !== null) {
    if ((word[2] as string).toLowerCase() === 'nan') return Number.NaN;
    return word[1] === '-' ? -Infinity : Infinity;
  }
  // Each digit has one place in the pattern, so a long text that fails, fails in linear time
  // (`\d+\.?\d*` split a run of digits every way: 200,000 of them held the event loop 50 s).
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(text)) throw invalid(s, 'FLOAT');
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new ChronosError('INVALID_ARGUMENT',
      `Cannot cast '${s}' to FLOAT: out of the FLOAT (double) range`);
  }
  return value;
}

/**
 * `value`, of type `from`, converted to `type` (PostgreSQL's rules; NULL stays NULL). `from`
 * matters for text: a whole FLOAT is written as a double (`1e+15`), an INT in full.
 */
export function castValue(value: SqlValue, type: SqlType, from: SqlType | null): SqlValue {
  if (value === null) return null;
  switch (type) {
    case 'INT':
      if (typeof value === 'bigint') return value;
      // An INT value is a safe integer or a bigint: any other number is a FLOAT to convert.
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : floatToInt(value);
      if (typeof value === 'boolean') return value ? 1 : 0;
      return stringToInt(value);
    case 'FLOAT':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'boolean') throw invalid(value, type);
      return stringToFloat(value);
    case 'STRING':
      if (from === 'FLOAT' && (typeof value === 'number' || typeof value === 'bigint')) {
        return floatText(Number(value));
      }
      return String(value);
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'bigint') return value !== 0n;
      if (typeof value === 'number') return value !== 0;
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw invalid(value, type);
    }
  }
}

/** CAST(x AS type) / x::type. FLOAT and BOOLEAN don't convert into each other (PostgreSQL). */
export function compileCast(
  expr: Extract<Expr, { kind: 'cast' }>, ctx: CompileContext, compile: Compile,
): Compiled {
  const operand = compile(expr.operand, ctx);
  const from = operand.type;
  if ((from === 'FLOAT' && expr.type === 'BOOLEAN') || (from === 'BOOLEAN' && expr.type === 'FLOAT')) {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Type mismatch: cannot cast ${from} to ${expr.type} in '${printExpr(expr)}'`,
    );
  }
  const f = operand.evaluate;
  const type = expr.type;
  return { evaluate: (row) => castValue(f(row), type, from), type, constant: operand.constant };
}
