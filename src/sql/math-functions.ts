import { ChronosError } from '../lib/index.js';
import type { SqlType } from '../storage/index.js';
import type { ScalarFunction } from './functions.js';
import { checkedBig } from './value-ops.js';

function numeric(name: string, t: SqlType | null): SqlType | null {
  if (t !== null && t !== 'INT' && t !== 'FLOAT') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a number, got ${t}`);
  }
  return t;
}

/**
 * Half away from zero at `digits` decimals, of the value as it prints (its shortest decimal
 * form): round(2.675, 2) is 2.68 and round(1.005, 2) is 1.01, as PostgreSQL gives for the
 * numerics 2.675 and 1.005 and as a reader of the digits expects, though the doubles nearest
 * them lie a hair below. Scaling by a power of ten in floating point instead gave 2.68 but 1.
 */
function roundHalfAway(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  const scaled = Math.abs(Number(`${mantissa}e${Number(exponent) + digits}`));
  // Already whole at that many decimals (or so many that no double has them): unchanged.
  if (!Number.isFinite(scaled) || scaled >= 2 ** 52) return x;
  const whole = Math.round(scaled);
  if (whole === 0) return 0;
  return Math.sign(x) * Number(`${whole}e${-digits}`);
}

/** An INT rounded to `digits` < 0 decimals (to tens, hundreds, ...), exactly, half away from zero. */
function roundInt(v: bigint, digits: number): number | bigint {
  if (-digits > 19) return 0;
  const unit = 10n ** BigInt(-digits);
  const magnitude = v < 0n ? -v : v;
  let units = magnitude / unit;
  if ((magnitude % unit) * 2n >= unit) units += 1n;
  return checkedBig((v < 0n ? -units : units) * unit, 'round');
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

/** Rounding functions; abs lives with the original functions. */
export const MATH_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = {
  round: {
    arity: [1, 2],
    resultType: (args) => {
      if (args[1] !== undefined && args[1] !== null && args[1] !== 'INT') {
        throw new ChronosError('TYPE_MISMATCH', `Type mismatch: round() digits must be an INT, got ${args[1]}`);
      }
      return numeric('round', args[0] ?? null);
    },
    evaluate: (args) => {
      const [v, digits] = args;
      if (v === null || v === undefined || digits === null) return null;
      const places = digits === undefined ? 0 : Number(digits);
      // An INT (a bigint or a safe integer) changes only at negative digits; past ±400 digits
      // a double rounds as at ±400.
      if (typeof v === 'bigint' || Number.isSafeInteger(v)) return places >= 0 ? v : roundInt(BigInt(v as number | bigint), places);
      if (typeof v !== 'number') return v;
      return roundHalfAway(v, Math.max(-400, Math.min(400, places)));
    },
  },
  floor: integral('floor', Math.floor),
  ceil: integral('ceil', Math.ceil),
  ceiling: integral('ceiling', Math.ceil),
};
