import { ChronosError } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import { numericArgument as numeric } from './argument-types.js';
import { commonType } from './common-type.js';
import { FLOAT_FUNCTIONS } from './float-functions.js';
import type { ScalarFunction } from './functions.js';
import { checkedBig, compareValues, floatArithmetic, intArithmetic, toFloat } from './value-ops.js';

/**
 * |x| with its decimal point moved `digits` places right, from its shortest decimal form
 * (0.29 at 2 is 29 exactly, where 0.29 * 100 is 28.999999999999996).
 */
function shiftedMagnitude(x: number, digits: number): number {
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  return Math.abs(Number(`${mantissa}e${Number(exponent) + digits}`));
}

/**
 * Half away from zero at `digits` decimals, of the value as it prints (its shortest decimal
 * form): round(2.675, 2) is 2.68 and round(1.005, 2) is 1.01, as PostgreSQL gives for the
 * numerics 2.675 and 1.005 and as a reader of the digits expects, though the doubles nearest
 * them lie a hair below. Scaling by a power of ten in floating point instead gave 2.68 but 1.
 */
function roundHalfAway(x: number, digits: number): number {
  return toDecimals(x, digits, Math.round);
}

/** Toward zero at `digits` decimals, of the value as it prints (trunc(0.29, 2) is 0.29). */
function truncateToward(x: number, digits: number): number {
  return toDecimals(x, digits, Math.floor);
}

/** |x| at `digits` decimals by `whole` (applied to the magnitude), the sign put back. */
function toDecimals(x: number, digits: number, whole: (magnitude: number) => number): number {
  if (!Number.isFinite(x)) return x;
  const scaled = shiftedMagnitude(x, digits);
  // Already whole at that many decimals (or so many that no double has them): unchanged.
  if (!Number.isFinite(scaled) || scaled >= 2 ** 52) return x;
  const units = whole(scaled);
  if (units === 0) return 0;
  return Math.sign(x) * Number(`${units}e${-digits}`);
}

/** An INT rounded to `digits` < 0 decimals (to tens, hundreds, ...), exactly, half away from zero. */
function roundInt(v: bigint, digits: number): number | bigint {
  return intToDecimals(v, digits, 'round', (magnitude, unit) => (magnitude % unit) * 2n >= unit);
}

/** An INT cut toward zero at `digits` < 0 decimals (trunc(1299, -2) is 1200). */
function truncInt(v: bigint, digits: number): number | bigint {
  return intToDecimals(v, digits, 'trunc', () => false);
}

function intToDecimals(v: bigint, digits: number, name: string,
  roundsUp: (magnitude: bigint, unit: bigint) => boolean): number | bigint {
  if (-digits > 19) return 0;
  const unit = 10n ** BigInt(-digits);
  const magnitude = v < 0n ? -v : v;
  let units = magnitude / unit;
  if (roundsUp(magnitude, unit)) units += 1n;
  return checkedBig((v < 0n ? -units : units) * unit, name);
}

/** round/trunc: the value at `digits` decimals (default 0); an INT changes only below zero digits. */
function decimals(name: string, ofFloat: (x: number, digits: number) => number,
  ofInt: (v: bigint, digits: number) => number | bigint): ScalarFunction {
  return {
    arity: [1, 2],
    resultType: (args) => {
      if (args[1] !== undefined && args[1] !== null && args[1] !== 'INT') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() digits must be an INT, got ${args[1]}`);
      }
      return numeric(name, args[0] ?? null);
    },
    evaluate: (args) => {
      const [v, digits] = args;
      if (v === null || v === undefined || digits === null) return null;
      const places = digits === undefined ? 0 : Number(digits);
      // An INT (a bigint or a safe integer) changes only at negative digits; past ±400 digits
      // a double behaves as at ±400.
      if (typeof v === 'bigint' || Number.isSafeInteger(v)) return places >= 0 ? v : ofInt(BigInt(v as number | bigint), places);
      if (typeof v !== 'number') return v;
      return ofFloat(v, Math.max(-400, Math.min(400, places)));
    },
  };
}

/** floor/ceil: INT stays INT, FLOAT gives an integral FLOAT. */
function integral(name: string, f: (x: number) => number): ScalarFunction {
  return {
    arity: [1, 1],
    resultType: (args) => numeric(name, args[0] ?? null),
    evaluate: (args) => {
      const v = args[0] ?? null;
      if (typeof v !== 'number') return v;
      const r = f(v);
      return r === 0 ? 0 : r;
    },
  };
}

/** greatest/least: the largest or smallest argument that is not NULL (PostgreSQL's). */
function extreme(name: string, sign: 1 | -1): ScalarFunction {
  return {
    arity: [1, 64],
    resultType: (args) => commonType(`${name}() arguments`, args),
    evaluate: (args) => {
      let best: SqlValue = null;
      for (const a of args) {
        if (a !== null && (best === null || compareValues(a, best) * sign > 0)) best = a;
      }
      return best;
    },
  };
}

/** Rounding, sign, remainder and extremes; abs lives with the original functions. */
export const MATH_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = {
  round: decimals('round', roundHalfAway, roundInt),
  trunc: decimals('trunc', truncateToward, truncInt),
  floor: integral('floor', Math.floor),
  ceil: integral('ceil', Math.ceil),
  ceiling: integral('ceiling', Math.ceil),
  sign: {
    arity: [1, 1],
    resultType: (args) => numeric('sign', args[0] ?? null),
    evaluate: (args) => {
      const v = args[0] ?? null;
      if (typeof v === 'bigint') return v > 0n ? 1 : v < 0n ? -1 : 0;
      return typeof v === 'number' ? (v > 0 ? 1 : v < 0 ? -1 : 0) : null;
    },
  },
  mod: {
    arity: [2, 2],
    resultType: (args) => {
      for (const t of args) numeric('mod', t);
      return args.includes('FLOAT') ? 'FLOAT' : 'INT';
    },
    // As `%`: the sign of the dividend, division by zero an error.
    evaluate: (args) => {
      const [a, b] = args;
      if ((typeof a !== 'number' && typeof a !== 'bigint') || (typeof b !== 'number' && typeof b !== 'bigint')) return null;
      // Exact integers (every INT, and a FLOAT such as 7.0) take the exact path.
      const ints = (typeof a === 'bigint' || Number.isSafeInteger(a)) && (typeof b === 'bigint' || Number.isSafeInteger(b));
      return ints ? intArithmetic('%', a, b) : floatArithmetic('%', toFloat(a), toFloat(b));
    },
  },
  greatest: extreme('greatest', 1),
  least: extreme('least', -1),
  ...FLOAT_FUNCTIONS,
};
