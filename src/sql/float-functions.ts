import { ChronosError } from '../lib/index.js';
import { numericArgument as numeric } from './argument-types.js';
import type { ScalarFunction } from './functions.js';
import { toFloat } from './value-ops.js';

function invalid(message: string): ChronosError {
  return new ChronosError('INVALID_ARGUMENT', message);
}

/** Refuses what PostgreSQL refuses for a logarithm's argument. */
function checkLogArgument(x: number): void {
  if (x === 0) throw invalid('cannot take logarithm of zero');
  if (x < 0) throw invalid('cannot take logarithm of a negative number');
}

/** A FLOAT function of numbers (an INT is taken as a double): NULL when an argument is NULL. */
function ofDoubles(name: string, arity: readonly [number, number], f: (xs: readonly number[]) => number): ScalarFunction {
  return {
    arity,
    resultType: (args) => {
      for (const t of args) numeric(name, t);
      return 'FLOAT';
    },
    evaluate: (args) => {
      const xs: number[] = [];
      for (const a of args) {
        if (typeof a !== 'number' && typeof a !== 'bigint') return null;
        xs.push(toFloat(a));
      }
      const r = f(xs);
      return r === 0 ? 0 : r;
    },
  };
}

/** A FLOAT function of one number; `check` refuses what has no answer. */
function unary(name: string, f: (x: number) => number, check?: (x: number) => void): ScalarFunction {
  return ofDoubles(name, [1, 1], ([x = 0]) => {
    check?.(x);
    return f(x);
  });
}

/** The base-`base` logarithm of `x`, refused where PostgreSQL refuses it. */
function logarithm(base: number, x: number): number {
  checkLogArgument(x);
  checkLogArgument(base);
  if (base === 1) throw invalid('Division by zero');
  // The exact-base functions keep log(1000) at 3, where ln(1000) / ln(10) is a hair below.
  if (base === 10) return Math.log10(x);
  if (base === 2) return Math.log2(x);
  return Math.log(x) / Math.log(base);
}

/**
 * `x` to the power `y` as PostgreSQL's float8 power: NaN and infinite exponents as POSIX pow
 * (1 to any power is 1, |x| < 1 to +Infinity is 0), refused where there is no real answer.
 * JavaScript's `**` answers NaN for 1 ** Infinity and 1 ** NaN.
 */
function power(x: number, y: number): number {
  if (Number.isNaN(x)) return y === 0 ? 1 : NaN;
  if (Number.isNaN(y)) return x === 1 ? 1 : NaN;
  if (x === 0 && y < 0) throw invalid('zero raised to a negative power is undefined');
  // An infinite exponent counts as an integer here, as floor(y) = y for it in C.
  if (x < 0 && Math.floor(y) !== y) throw invalid('a negative number raised to a non-integer power yields a complex result');
  if (Number.isFinite(y)) return x ** y;
  const size = Math.abs(x);
  if (size === 1) return 1;
  return (size > 1) === (y > 0) ? Infinity : 0;
}

/** `log(x)` is the base-10 logarithm (as in PostgreSQL); `log(b, x)` the base-b one. */
const LOG = ofDoubles('log', [1, 2], (xs) => (xs.length === 1 ? logarithm(10, xs[0] ?? 0) : logarithm(xs[0] ?? 0, xs[1] ?? 0)));
const POWER = ofDoubles('power', [2, 2], ([x = 0, y = 0]) => power(x, y));

/** Refuses an argument outside [low, high], as PostgreSQL does for the inverse functions. */
function within(low: number, high: number): (x: number) => void {
  return (x) => {
    // NaN in, NaN out (PostgreSQL's float8 functions).
    if (x < low || x > high) throw invalid('input is out of range');
  };
}

/** The periodic functions have no value at an infinity (PostgreSQL refuses it). */
function finite(x: number): void {
  if (x === Infinity || x === -Infinity) throw invalid('input is out of range');
}

/** Trigonometric and hyperbolic functions in radians (PostgreSQL's and sqlite3's names). */
const TRIGONOMETRY: Readonly<Record<string, ScalarFunction>> = {
  sin: unary('sin', Math.sin, finite),
  cos: unary('cos', Math.cos, finite),
  tan: unary('tan', Math.tan, finite),
  cot: unary('cot', (x) => 1 / Math.tan(x), finite),
  asin: unary('asin', Math.asin, within(-1, 1)),
  acos: unary('acos', Math.acos, within(-1, 1)),
  atan: unary('atan', Math.atan),
  atan2: ofDoubles('atan2', [2, 2], ([y = 0, x = 0]) => Math.atan2(y, x)),
  sinh: unary('sinh', Math.sinh),
  cosh: unary('cosh', Math.cosh),
  tanh: unary('tanh', Math.tanh),
  asinh: unary('asinh', Math.asinh),
  acosh: unary('acosh', Math.acosh, within(1, Infinity)),
  atanh: unary('atanh', Math.atanh, within(-1, 1)),
};

/** Functions of doubles: roots, exponentials, logarithms, powers and angles. */
export const FLOAT_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = {
  sqrt: unary('sqrt', Math.sqrt, (x) => {
    if (x < 0) throw invalid('cannot take square root of a negative number');
  }),
  cbrt: unary('cbrt', Math.cbrt),
  exp: unary('exp', Math.exp),
  ln: unary('ln', Math.log, checkLogArgument),
  log10: unary('log10', Math.log10, checkLogArgument),
  log: LOG,
  power: POWER,
  pow: POWER,
  degrees: unary('degrees', (x) => (x * 180) / Math.PI),
  radians: unary('radians', (x) => (x * Math.PI) / 180),
  pi: { arity: [0, 0], resultType: () => 'FLOAT', evaluate: () => Math.PI },
  ...TRIGONOMETRY,
};
