import { ChronosError } from '../lib/index.js';
import { canonicalInt, INT64_MAX, INT64_MIN } from '../storage/index.js';
import type { Expr } from './ast.js';

const TWO_POW_63 = 2n ** 63n;

/** The literal of a number token: INT unless it has a fraction or exponent. */
export function numberLiteral(text: string): Expr {
  if (/[.eE]/.test(text)) {
    const value = Number(text);
    if (!Number.isFinite(value)) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `Numeric literal ${text} is out of the FLOAT (double) range`,
      );
    }
    return { kind: 'literal', value, type: 'FLOAT' };
  }
  if (text.length < 16) return { kind: 'literal', value: Number(text), type: 'INT' };
  const big = BigInt(text);
  // 2^63 is kept so that `-9223372036854775808` can fold to INT64_MIN.
  if (big > TWO_POW_63) {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Integer literal ${text} is out of the INT (int64) range`,
    );
  }
  return { kind: 'literal', value: big === TWO_POW_63 ? big : canonicalInt(big), type: 'INT' };
}

/** The literal of a string token. */
export function stringLiteral(value: string): Expr {
  return { kind: 'literal', value, type: 'STRING' };
}

/** Check a literal INT is within int64 (the 2^63 placeholder is only valid under a minus). */
export function checkIntLiteral(value: number | bigint): void {
  if (typeof value === 'bigint' && (value > INT64_MAX || value < INT64_MIN)) {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Integer literal ${value} is out of the INT (int64) range`,
    );
  }
}

/**
 * Negate a literal at parse time (`-5` is a literal, not an expression). INT64_MIN is left to
 * a unary minus: folded, `-(-9223372036854775808)` became the literal 2^63 and was refused as
 * a literal out of range, where its value is an INT overflow like `-(-9223372036854775807 - 1)`.
 */
export function negateLiteral(expr: Expr): Expr | null {
  if (expr.kind !== 'literal') return null;
  const v = expr.value;
  if (expr.type === 'FLOAT' && typeof v === 'number') return { ...expr, value: -v };
  if (expr.type === 'INT' && (typeof v === 'number' || typeof v === 'bigint')) {
    if (v === INT64_MIN) return null;
    const neg = typeof v === 'number' ? (v === 0 ? 0 : -v) : canonicalInt(-v);
    return { ...expr, value: neg };
  }
  return null;
}
