import { buildInSet, IN_SET_MIN_ITEMS } from './in-set.js';
import type { InSet } from './in-set.js';
import { assertNever, ChronosError } from '../lib/index.js';
import type { Row, SqlType, SqlValue } from '../storage/index.js';
import type { Expr } from './ast.js';
import { compileCase, compileIif } from './compile-case.js';
import { compileConcat } from './compile-concat.js';
import { compileIsDistinct, compileIsTruth } from './compile-is.js';
import { castValue, compileCast } from './cast.js';
import { bucketWidthSeconds, SCALAR_FUNCTIONS, timeBucket } from './functions.js';
import { likeMatcher } from './like.js';
import { checkIntLiteral } from './literals.js';
import { printExpr } from './print.js';
import type { Scope } from './scope.js';
import {
  comparableTypes,
  compareValues,
  floatArithmetic,
  intArithmetic,
  toFloat,
} from './value-ops.js';

/** A compiled expression: called once per row, no allocation on the hot path. */
export type Evaluator = (row: Row) => SqlValue;

/** The result of compiling an expression: the evaluator and its static type. */
export interface Compiled {
  readonly evaluate: Evaluator;
  readonly type: SqlType | null;
  /** True when the value does not depend on the row (literals, now(), folded arithmetic). */
  readonly constant: boolean;
}

/** A slot of the post-aggregation row and its static type. */
export interface Slot {
  readonly slot: number;
  readonly type: SqlType | null;
}

/** What an expression may see while compiled. */
export interface CompileContext {
  /** Columns by name; null where no row exists (VALUES, LIMIT). */
  readonly scope: Scope | null;
  readonly nowMs: number;
  /**
   * For grouped queries: maps an expression (by resolved key) to a slot of the post-aggregation
   * row, or undefined. When set, bare columns not found here are an error.
   */
  readonly slotOf?: (expr: Expr) => Slot | undefined;
  /** Where each window function's value sits in the row (select list and ORDER BY only). */
  readonly windowSlotOf?: (expr: Expr) => Slot | undefined;
  /** Why aggregates are not allowed here (e.g. "in WHERE"), when they are not. */
  readonly aggregatesRefused?: string;
  /**
   * Set inside a part that may not be evaluated (a CASE arm, a later coalesce argument, the
   * right side of AND/OR): a constant there that fails to fold fails only if it runs.
   */
  readonly mayNotRun?: true;
}

const NOT_CONSTANT = false;

/**
 * An error kept until a row needs the value that raises it (a scalar subquery of several rows,
 * a failing constant in a CASE arm). EXPLAIN, which checks a query by running it over no rows,
 * ignores it: the one row an aggregate makes of nothing may not exist when the statement runs.
 */
export class DeferredValueError extends ChronosError {}

function constantOf(value: SqlValue, type: SqlType | null): Compiled {
  return { evaluate: () => value, type, constant: true };
}

/** The context for a part of an expression that is evaluated only when needed. */
export function lazily(ctx: CompileContext): CompileContext {
  return ctx.mayNotRun === true ? ctx : { ...ctx, mayNotRun: true };
}

/**
 * A constant folded once (which surfaces errors such as overflow at plan time). Where the part
 * may not run, its error is kept for evaluation: `CASE WHEN x > 0 THEN x ELSE 1 / 0 END` fails
 * only on a row that takes the ELSE.
 */
function fold(compiled: Compiled, ctx: CompileContext): Compiled {
  if (ctx.mayNotRun !== true) return constantOf(compiled.evaluate([]), compiled.type);
  try {
    return constantOf(compiled.evaluate([]), compiled.type);
  } catch (error) {
    if (!(error instanceof ChronosError)) throw error;
    const deferred = new DeferredValueError(error.code, error.message,
      { cause: error, details: error.details });
    return { evaluate: () => { throw deferred; }, type: compiled.type, constant: false };
  }
}

/** Compile `expr` once per statement into a closure over a row. */
export function compileExpr(expr: Expr, ctx: CompileContext): Compiled {
  const windowSlot = expr.kind === 'window' ? ctx.windowSlotOf?.(expr) : undefined;
  if (windowSlot !== undefined) {
    const i = windowSlot.slot;
    return { evaluate: (row) => row[i] ?? null, type: windowSlot.type, constant: false };
  }
  if (ctx.slotOf !== undefined) {
    const slot = ctx.slotOf(expr);
    if (slot !== undefined) {
      const i = slot.slot;
      return { evaluate: (row) => row[i] ?? null, type: slot.type, constant: false };
    }
  }
  const compiled = compileNode(expr, ctx);
  return compiled.constant && expr.kind !== 'literal' ? fold(compiled, ctx) : compiled;
}

/** Characters of a refused condition the error shows. */
const CONDITION_SHOWN_MAX = 200;

/**
 * A condition (WHERE, HAVING, JOIN ON, FILTER): BOOLEAN or NULL. Anything else is refused, as
 * PostgreSQL does; sqlite would read a nonzero number as true, and a silent false is neither.
 */
export function compileCondition(expr: Expr, ctx: CompileContext, clause: string): Compiled {
  const compiled = compileExpr(expr, ctx);
  if (compiled.type !== null && compiled.type !== 'BOOLEAN') {
    // A correlated subquery has become a CASE over its answers by now: show only its start.
    const written = printExpr(expr);
    const shown = written.length > CONDITION_SHOWN_MAX ? `${written.slice(0, CONDITION_SHOWN_MAX)}...` : written;
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Type mismatch: ${clause} needs a BOOLEAN condition, got ${compiled.type} in '${shown}'`,
    );
  }
  return compiled;
}

function compileNode(expr: Expr, ctx: CompileContext): Compiled {
  switch (expr.kind) {
    case 'literal':
      if (typeof expr.value === 'bigint') checkIntLiteral(expr.value);
      return constantOf(expr.value, expr.type);
    case 'param':
      throw new ChronosError('PARSE_ERROR', 'Parse error: unbound parameter');
    case 'column':
      return compileColumn(expr, ctx);
    case 'unary':
      return compileUnary(expr.op, compileExpr(expr.operand, ctx), expr);
    case 'binary':
      return compileBinary(expr, ctx);
    case 'isNull':
      return compileIsNull(expr, ctx);
    case 'isTruth':
      return compileIsTruth(expr, compileExpr(expr.operand, ctx));
    case 'isDistinct':
      return compileIsDistinct(expr, compileExpr(expr.left, ctx), compileExpr(expr.right, ctx));
    case 'in':
      return compileIn(expr, ctx);
    case 'between':
      return compileBetween(expr, ctx);
    case 'like':
      return compileLike(expr, ctx);
    case 'call':
      return expr.name === 'iif' ? compileIif(expr, ctx, compileExpr) : compileCall(expr, ctx);
    case 'aggregate':
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `Aggregate ${printExpr(expr)} is not allowed ${ctx.aggregatesRefused ?? 'here'}`,
      );
    case 'case':
      return compileCase(expr, ctx, compileExpr);
    case 'cast':
      return compileCast(expr, ctx, compileExpr);
    case 'window':
      throw new ChronosError('INVALID_ARGUMENT',
        `Window function ${printExpr(expr)} is allowed only in the select list and ORDER BY (not in WHERE, GROUP BY, HAVING or an aggregate)`);
    case 'subquery':
      // resolveSubqueries answers them before planning; anything else never runs them.
      throw new ChronosError('UNSUPPORTED', 'Unsupported: subqueries here');
    case 'subqueryError':
      return compileSubqueryError(expr);
    default:
      return assertNever(expr, 'expression');
  }
}

/** A subquery whose answer is an error: raised once its value is needed, never folded before. */
function compileSubqueryError(expr: Extract<Expr, { kind: 'subqueryError' }>): Compiled {
  const message = expr.message;
  return {
    evaluate: () => { throw new DeferredValueError('INVALID_ARGUMENT', message); },
    type: expr.type,
    constant: NOT_CONSTANT,
  };
}

/** A column reference: its slot in the row (refused without a table, or outside GROUP BY). */
function compileColumn(expr: Extract<Expr, { kind: 'column' }>, ctx: CompileContext): Compiled {
  if (ctx.scope === null) {
    throw new ChronosError(
      'UNKNOWN_COLUMN',
      `Column ${expr.name} is not allowed here (no table)`,
    );
  }
  const column = ctx.scope.resolve(expr.table, expr.name);
  if (ctx.slotOf !== undefined) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `Column ${column.name} must appear in GROUP BY or be used in an aggregate function`,
    );
  }
  const slot = column.slot;
  return { evaluate: (row) => row[slot] ?? null, type: column.type, constant: NOT_CONSTANT };
}

/** `x IS [NOT] NULL`. */
function compileIsNull(expr: Extract<Expr, { kind: 'isNull' }>, ctx: CompileContext): Compiled {
  const compiled = compileExpr(expr.operand, ctx);
  const operand = compiled.evaluate;
  const negated = expr.negated;
  return {
    evaluate: (row) => (operand(row) === null) !== negated,
    type: 'BOOLEAN',
    constant: compiled.constant,
  };
}

/** `x [NOT] BETWEEN lo AND hi`. */
function compileBetween(expr: Extract<Expr, { kind: 'between' }>, ctx: CompileContext): Compiled {
  const operand = compileExpr(expr.operand, ctx);
  const low = compileExpr(expr.low, ctx);
  // Evaluated only when the low bound does not decide, as `x >= lo AND x <= hi` would be.
  const high = compileExpr(expr.high, lazily(ctx));
  checkComparable(operand.type, low.type, expr);
  checkComparable(operand.type, high.type, expr);
  const negated = expr.negated;
  const [o, l, h] = [operand.evaluate, low.evaluate, high.evaluate];
  return {
    evaluate: (row) => {
      const v = o(row);
      const lo = l(row);
      if (v === null) return null;
      // x BETWEEN lo AND hi is x >= lo AND x <= hi in three-valued logic: one false
      // bound decides even when the other is NULL.
      const aboveLow = lo === null ? null : compareValues(v, lo) >= 0;
      if (aboveLow === false) return negated;
      const hi = h(row);
      const belowHigh = hi === null ? null : compareValues(v, hi) <= 0;
      if (belowHigh === false) return negated;
      return aboveLow === null || belowHigh === null ? null : !negated;
    },
    type: 'BOOLEAN',
    constant: operand.constant && low.constant && high.constant,
  };
}

function checkComparable(a: SqlType | null, b: SqlType | null, expr: Expr): void {
  if (!comparableTypes(a, b)) {
    throw new ChronosError(
      'TYPE_MISMATCH',
      `Type mismatch: cannot compare ${a} with ${b} in '${printExpr(expr)}'`,
    );
  }
}

function compileUnary(op: '-' | 'NOT', operand: Compiled, expr: Expr): Compiled {
  const f = operand.evaluate;
  if (op === 'NOT') {
    if (operand.type !== null && operand.type !== 'BOOLEAN') {
      throw new ChronosError(
        'TYPE_MISMATCH',
        `Type mismatch: NOT needs a BOOLEAN, got ${operand.type} in '${printExpr(expr)}'`,
      );
    }
    return {
      evaluate: (row) => {
        const v = f(row);
        return v === null ? null : !v;
      },
      type: 'BOOLEAN', constant: operand.constant,
    };
  }
  if (operand.type === 'INT') {
    return {
      evaluate: (row) => {
        const v = f(row) as number | bigint | null;
        return v === null ? null : intArithmetic('-', 0, v);
      },
      type: 'INT', constant: operand.constant,
    };
  }
  if (operand.type === 'FLOAT' || operand.type === null) {
    return {
      evaluate: (row) => {
        const v = f(row) as number | null;
        return v === null ? null : -v;
      },
      type: operand.type, constant: operand.constant,
    };
  }
  throw new ChronosError(
    'TYPE_MISMATCH',
    `Type mismatch: cannot negate ${operand.type} in '${printExpr(expr)}'`,
  );
}

type BinaryExpr = Extract<Expr, { kind: 'binary' }>;

function compileBinary(expr: BinaryExpr, ctx: CompileContext): Compiled {
  const left = compileExpr(expr.left, ctx);
  const logic = expr.op === 'AND' || expr.op === 'OR';
  // AND/OR evaluate their right side only when the left one does not decide.
  const right = compileExpr(expr.right, logic ? lazily(ctx) : ctx);
  const constant = left.constant && right.constant;
  const op = expr.op;
  switch (op) {
    case 'AND':
    case 'OR':
      checkOperands(left, right, (type) => type === 'BOOLEAN', `${op} needs BOOLEAN operands`, expr);
      return { evaluate: logical(op, left.evaluate, right.evaluate), type: 'BOOLEAN', constant };
    case '=': case '!=': case '<': case '<=': case '>': case '>=':
      checkComparable(left.type, right.type, expr);
      return { evaluate: comparison(op, left.evaluate, right.evaluate), type: 'BOOLEAN', constant };
    case '||':
      return compileConcat(expr, left, right);
    case '+': case '-': case '*': case '/': case '%':
      checkOperands(left, right, (type) => type === 'INT' || type === 'FLOAT', `'${op}' needs numbers`, expr);
      return arithmetic(op, left, right);
    default:
      return assertNever(op, 'operator');
  }
}

/** Refuses an operand whose (known) type `accepts` rejects: "Type mismatch: `needs`, got ...". */
function checkOperands(left: Compiled, right: Compiled, accepts: (type: SqlType) => boolean,
  needs: string, expr: BinaryExpr): void {
  for (const side of [left, right]) {
    if (side.type !== null && !accepts(side.type)) {
      throw new ChronosError(
        'TYPE_MISMATCH',
        `Type mismatch: ${needs}, got ${side.type} in '${printExpr(expr)}'`,
      );
    }
  }
}

/** AND / OR in three-valued logic; the right side is not evaluated once the left decides. */
function logical(op: 'AND' | 'OR', l: Evaluator, r: Evaluator): Evaluator {
  return op === 'AND'
    ? (row) => {
        const a = l(row);
        if (a === false) return false;
        const b = r(row);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      }
    : (row) => {
        const a = l(row);
        if (a === true) return true;
        const b = r(row);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
}

/** + - * / %: FLOAT when either side is, else INT (exact, overflow-checked). */
function arithmetic(op: '+' | '-' | '*' | '/' | '%', left: Compiled, right: Compiled): Compiled {
  const [l, r] = [left.evaluate, right.evaluate];
  const constant = left.constant && right.constant;
  if (left.type === 'FLOAT' || right.type === 'FLOAT') {
    return {
      evaluate: (row) => {
        const a = l(row);
        const b = r(row);
        if (a === null || b === null) return null;
        return floatArithmetic(
          op,
          toFloat(a as number | bigint),
          toFloat(b as number | bigint),
        );
      },
      type: 'FLOAT', constant,
    };
  }
  return {
    evaluate: (row) => {
      const a = l(row);
      const b = r(row);
      if (a === null || b === null) return null;
      return intArithmetic(op, a as number | bigint, b as number | bigint);
    },
    type: left.type === null && right.type === null ? null : 'INT', constant,
  };
}

function comparison(
  op: '=' | '!=' | '<' | '<=' | '>' | '>=',
  l: Evaluator,
  r: Evaluator,
): Evaluator {
  const test = (c: number): boolean => {
    switch (op) {
      case '=': return c === 0;
      case '!=': return c !== 0;
      case '<': return c < 0;
      case '<=': return c <= 0;
      case '>': return c > 0;
      case '>=': return c >= 0;
    }
  };
  return (row) => {
    const a = l(row);
    const b = r(row);
    if (a === null || b === null) return null;
    if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) {
      return test(a < b ? -1 : a > b ? 1 : 0);
    }
    return test(compareValues(a, b));
  };
}

function compileIn(expr: Extract<Expr, { kind: 'in' }>, ctx: CompileContext): Compiled {
  if (expr.answered !== undefined) return compileAnsweredIn(expr, expr.answered, ctx);
  const operand = compileExpr(expr.operand, ctx);
  const list = expr.list.map((e) => compileExpr(e, ctx));
  for (const item of list) checkComparable(operand.type, item.type, expr);
  const o = operand.evaluate;
  const items = list.map((i) => i.evaluate);
  const negated = expr.negated;
  // A long constant list (`id IN (<100,000 ints>)`) is looked up, not scanned, per row.
  const set = list.length >= IN_SET_MIN_ITEMS && list.every((i) => i.constant)
    ? buildInSet(items.map((item) => item([]))) : null;
  return {
    evaluate: (row) => {
      const v = o(row);
      if (v === null) return null;
      const found = set?.lookup(v);
      if (found === true) return !negated;
      if (found === false) return negated;
      if (found === null) return null;
      let sawNull = false;
      for (const item of items) {
        const w = item(row);
        if (w === null) sawNull = true;
        else if (compareValues(v, w) === 0) return !negated;
      }
      return sawNull ? null : negated;
    },
    type: 'BOOLEAN',
    constant: operand.constant && list.every((i) => i.constant),
  };
}

/** `x IN (SELECT ...)` whose answer is already a set: one type to check, no item to compile. */
function compileAnsweredIn(expr: Extract<Expr, { kind: 'in' }>, answered: { readonly type: SqlType | null; readonly set: InSet },
  ctx: CompileContext): Compiled {
  const operand = compileExpr(expr.operand, ctx);
  checkComparable(operand.type, answered.type, expr);
  const o = operand.evaluate;
  const { set } = answered;
  const negated = expr.negated;
  return {
    evaluate: (row) => {
      const v = o(row);
      if (v === null) return null;
      const found = set.lookup(v);
      // The types compared, so every value is of the set's family: undefined cannot come back.
      if (found === undefined) throw new ChronosError('TYPE_MISMATCH', `Type mismatch in '${printExpr(expr)}'`);
      return found === null ? null : found !== negated;
    },
    type: 'BOOLEAN',
    constant: operand.constant,
  };
}

function compileLike(expr: Extract<Expr, { kind: 'like' }>, ctx: CompileContext): Compiled {
  const operand = compileExpr(expr.operand, ctx);
  const pattern = compileExpr(expr.pattern, ctx);
  for (const side of [operand, pattern]) {
    if (side.type !== null && side.type !== 'STRING') {
      throw new ChronosError(
        'TYPE_MISMATCH',
        `Type mismatch: ${expr.caseInsensitive === true ? 'ILIKE' : 'LIKE'} needs STRING operands, got ${side.type} in '${printExpr(expr)}'`,
      );
    }
  }
  const o = operand.evaluate;
  const negated = expr.negated;
  const options = { escape: expr.escape ?? '\\', caseInsensitive: expr.caseInsensitive === true };
  const fixed = pattern.constant ? pattern.evaluate([]) : undefined;
  const fixedMatch = typeof fixed === 'string' ? likeMatcher(fixed, options) : null;
  const p = pattern.evaluate;
  return {
    evaluate: (row) => {
      const v = o(row);
      if (v === null) return null;
      let matches = fixedMatch;
      if (matches === null) {
        const pv = p(row);
        if (pv === null) return null;
        matches = likeMatcher(pv as string, options);
      }
      return matches(v as string) !== negated;
    },
    type: 'BOOLEAN',
    constant: operand.constant && pattern.constant,
  };
}

/**
 * coalesce() as standard SQL defines it, a CASE: the arguments after the first non-NULL one are
 * not evaluated (coalesce(x, 1 / 0) is x where x is not NULL, as in PostgreSQL).
 */
function firstNonNull(evals: readonly Evaluator[]): Evaluator {
  return (row) => {
    for (const evaluate of evals) {
      const value = evaluate(row);
      if (value !== null) return value;
    }
    return null;
  };
}

/** A FLOAT argument of a function that uses text (concat): written as CAST(x AS TEXT) writes it. */
function asFloatText(evaluate: Evaluator): Evaluator {
  return (row) => {
    const value = evaluate(row);
    return value === null ? null : castValue(value, 'STRING', 'FLOAT');
  };
}

function compileCall(expr: Extract<Expr, { kind: 'call' }>, ctx: CompileContext): Compiled {
  const fn = SCALAR_FUNCTIONS[expr.name];
  if (fn === undefined || !Object.hasOwn(SCALAR_FUNCTIONS, expr.name)) {
    const hint = expr.name === 'generate_series' ? ' outside FROM (SELECT * FROM generate_series(1, 10))' : '';
    throw new ChronosError('UNSUPPORTED', `Unsupported function ${expr.name}()${hint}`);
  }
  const [min, max] = fn.arity;
  const arity = min === max ? String(min) : `${min} to ${max}`;
  if (expr.args.length < min || expr.args.length > max) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `${expr.name}() takes ${arity} arguments, got ${expr.args.length}`,
    );
  }
  // coalesce() evaluates an argument only when those before it were NULL.
  const firstNonNullCall = expr.name === 'coalesce' || expr.name === 'ifnull';
  const args = expr.args.map((a, i) =>
    compileExpr(a, i > 0 && firstNonNullCall ? lazily(ctx) : ctx));
  const type = fn.resultType(args.map((a) => a.type));
  const evals = args.map((a) =>
    (fn.textArguments === true && a.type === 'FLOAT' ? asFloatText(a.evaluate) : a.evaluate));
  const nowMs = ctx.nowMs;
  const constant = args.every((a) => a.constant);
  if (expr.name === 'time_bucket' && args[0]?.constant === true) {
    // Parse the width once per statement, not once per row.
    const width = args[0].evaluate([]);
    if (width === null) return constantOf(null, type);
    const seconds = bucketWidthSeconds(width);
    const ts = evals[1] as Evaluator;
    return { evaluate: (row) => timeBucket(seconds, ts(row)), type, constant };
  }
  const values: SqlValue[] = new Array<SqlValue>(evals.length).fill(null);
  const call: Evaluator = firstNonNullCall ? firstNonNull(evals) : (row) => {
    for (let i = 0; i < evals.length; i++) values[i] = (evals[i] as Evaluator)(row);
    return fn.evaluate(values, nowMs);
  };
  // coalesce(int, 0.5) is FLOAT: an INT it passes through becomes a double, as in CASE.
  const evaluate: Evaluator = type !== 'FLOAT' ? call : (row) => {
    const value = call(row);
    return typeof value === 'bigint' ? Number(value) : value;
  };
  return { evaluate, type, constant };
}
