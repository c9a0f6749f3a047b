import { ChronosError } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import type { Expr } from './ast.js';
import { commonType } from './common-type.js';
import type { CompileContext, Compiled, Evaluator } from './compile.js';
import { printExpr } from './print.js';
import { comparableTypes, compareValues, toFloat } from './value-ops.js';

type CaseExpr = Extract<Expr, { kind: 'case' }>;
type Compile = (expr: Expr, ctx: CompileContext) => Compiled;

/** sqlite's iif(cond, a, b): CASE WHEN cond THEN a ELSE b END, the arm not taken not evaluated. */
export function compileIif(expr: Extract<Expr, { kind: 'call' }>, ctx: CompileContext, compile: Compile): Compiled {
  const [when, then, otherwise] = expr.args;
  if (expr.args.length !== 3 || when === undefined || then === undefined || otherwise === undefined) {
    throw new ChronosError('INVALID_ARGUMENT', `iif() takes 3 arguments (a condition, then, else), got ${expr.args.length}`);
  }
  return compileCase({ kind: 'case', operand: null, whens: [{ when, then }], otherwise }, ctx, compile);
}

/** CASE: the first arm whose condition is TRUE (or whose value equals the operand) wins. */
export function compileCase(expr: CaseExpr, ctx: CompileContext, compile: Compile): Compiled {
  const operand = expr.operand === null ? null : compile(expr.operand, ctx);
  // Only the first condition always runs; later ones and the results run when reached.
  const later: CompileContext = { ...ctx, mayNotRun: true };
  const whens = expr.whens.map((w, i) => compile(w.when, i === 0 ? ctx : later));
  for (const when of whens) {
    if (operand !== null ? !comparableTypes(operand.type, when.type) : (when.type !== null && when.type !== 'BOOLEAN')) {
      throw new ChronosError(
        'TYPE_MISMATCH',
        operand === null
          ? `Type mismatch: CASE WHEN needs a BOOLEAN condition, got ${when.type} in '${printExpr(expr)}'`
          : `Type mismatch: cannot compare ${operand.type} with ${when.type} in '${printExpr(expr)}'`,
      );
    }
  }
  const results = [...expr.whens.map((w) => compile(w.then, later))];
  if (expr.otherwise !== null) results.push(compile(expr.otherwise, later));
  const type = commonType(`CASE '${printExpr(expr)}'`, results.map((r) => r.type));
  const toType = (v: SqlValue): SqlValue =>
    type === 'FLOAT' && (typeof v === 'number' || typeof v === 'bigint') ? toFloat(v) : v;
  const conditions = whens.map((w) => w.evaluate);
  const values = results.map((r) => r.evaluate);
  const otherwise: Evaluator | null = expr.otherwise === null ? null : (values[values.length - 1] as Evaluator);
  const subject = operand?.evaluate ?? null;
  const evaluate: Evaluator = (row) => {
    const x = subject === null ? null : subject(row);
    for (let i = 0; i < conditions.length; i++) {
      const w = (conditions[i] as Evaluator)(row);
      const hit = subject === null ? w === true : x !== null && w !== null && compareValues(x, w) === 0;
      if (hit) return toType((values[i] as Evaluator)(row));
    }
    return otherwise === null ? null : toType(otherwise(row));
  };
  const constant = (operand?.constant ?? true)
    && whens.every((w) => w.constant) && results.every((r) => r.constant);
  return { evaluate, type, constant };
}
