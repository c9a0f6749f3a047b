import { ChronosError } from '../lib/index.js';
import type { Expr } from './ast.js';
import { castValue } from './cast.js';
import type { Compiled, Evaluator } from './compile.js';
import { printExpr } from './print.js';
import { checkStringLength } from './string-limit.js';

type BinaryExpr = Extract<Expr, { kind: 'binary' }>;

/**
 * `a || b`. As in PostgreSQL, one side must be a STRING (or NULL); the other, of any type, is
 * written as CAST(x AS STRING) writes it, so `'esp-' || id` needs no cast.
 */
export function compileConcat(expr: BinaryExpr, left: Compiled, right: Compiled): Compiled {
  const textual = (side: Compiled): boolean => side.type === null || side.type === 'STRING';
  if (!textual(left) && !textual(right)) {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Type mismatch: || needs a STRING operand, got ${left.type} and ${right.type} in '${printExpr(expr)}'`,
    );
  }
  const [l, r] = [asText(left), asText(right)];
  return {
    evaluate: (row) => {
      const a = l(row);
      const b = r(row);
      if (a === null || b === null) return null;
      checkStringLength((a as string).length + (b as string).length, "'||'");
      return (a as string) + (b as string);
    },
    type: 'STRING',
    constant: left.constant && right.constant,
  };
}

function asText(side: Compiled): Evaluator {
  const value = side.evaluate;
  const type = side.type;
  if (type === null || type === 'STRING') return value;
  return (row) => castValue(value(row), 'STRING', type);
}
