import { ChronosError } from '../lib/index.js';
import type { SqlType } from '../storage/index.js';
import type { ScalarFunction } from './functions.js';

function numeric(name: string, t: SqlType | null): SqlType | null {
  if (t !== null && t !== 'INT' && t !== 'FLOAT') {
    throw new ChronosError('TYPE_MISMATCH', `Type mismatch: ${name}() needs a number, got ${t}`);
  }
  return t;
}

/** Half away from zero at `digits` decimals (sqlite's round, and PostgreSQL's on numerics). */
function roundHalfAway(x: number, digits: number): number {
  const scale = 10 ** digits;
  const r = (Math.sign(x) * Math.round(Math.abs(x) * scale)) / scale;
  return r === 0 ? 0 : r;
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
      if (typeof v !== 'number' || (Number.isInteger(v) && (digits === undefined || Number(digits) >= 0))) return v;
      return roundHalfAway(v, digits === undefined ? 0 : Number(digits));
    },
  },
  floor: integral('floor', Math.floor),
  ceil: integral('ceil', Math.ceil),
  ceiling: integral('ceiling', Math.ceil),
};
