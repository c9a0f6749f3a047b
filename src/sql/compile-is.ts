import { ChronosError } from '../lib/index.js';
import type { Expr } from './ast.js';
import type { Compiled } from './compile.js';
import { printExpr } from './print.js';
import { comparableTypes, compareValues } from './value-ops.js';

type IsTruthExpr = Extract<Expr, { kind: 'isTruth' }>;
type IsDistinctExpr = Extract<Expr, { kind: 'isDistinct' }>;

/** `x IS [NOT] TRUE | FALSE | UNKNOWN`: x must be BOOLEAN; the answer is never NULL. */
export function compileIsTruth(expr: IsTruthExpr, operand: Compiled): Compiled {
  if (operand.type !== null && operand.type !== 'BOOLEAN') {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Type mismatch: IS ${expr.truth} needs a BOOLEAN, got ${operand.type} in '${printExpr(expr)}'`,
    );
  }
  const value = operand.evaluate;
  const wanted = expr.truth === 'TRUE' ? true : expr.truth === 'FALSE' ? false : null;
  const negated = expr.negated;
  return { evaluate: (row) => (value(row) === wanted) !== negated, type: 'BOOLEAN', constant: operand.constant };
}

/** `a IS [NOT] DISTINCT FROM b`: compared as `=` does, except that NULL equals NULL. */
export function compileIsDistinct(expr: IsDistinctExpr, left: Compiled, right: Compiled): Compiled {
  if (!comparableTypes(left.type, right.type)) {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Type mismatch: cannot compare ${left.type} with ${right.type} in '${printExpr(expr)}'`,
    );
  }
  const [l, r] = [left.evaluate, right.evaluate];
  const negated = expr.negated;
  return {
    evaluate: (row) => (compareValues(l(row), r(row)) !== 0) !== negated,
    type: 'BOOLEAN',
    constant: left.constant && right.constant,
  };
}
