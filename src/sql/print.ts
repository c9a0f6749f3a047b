import { assertNever } from '../lib/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import type { BinaryOp, Expr, FrameBound, OrderItem } from './ast.js';
import { BP_ADD, BP_AND, BP_COMPARE, BP_CONCAT, BP_IS, BP_MUL, BP_NOT, BP_OR, BP_RANGE, BP_UNARY } from './expr-parser.js';

// How tightly each operator binds, as the parser reads them.
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  OR: BP_OR, AND: BP_AND, '=': BP_COMPARE, '!=': BP_COMPARE, '<': BP_COMPARE, '<=': BP_COMPARE,
  '>': BP_COMPARE, '>=': BP_COMPARE, '||': BP_CONCAT, '+': BP_ADD, '-': BP_ADD, '*': BP_MUL,
  '/': BP_MUL, '%': BP_MUL,
};
/** Literals, columns, calls, CASE, CAST: never parenthesized as operands. */
const ATOM = BP_UNARY + 1;

/** How tightly `expr` binds as an operand: below the operand position's strength it needs parentheses. */
function strength(expr: Expr): number {
  switch (expr.kind) {
    case 'binary': return PRECEDENCE[expr.op];
    case 'unary': return expr.op === 'NOT' ? BP_NOT : BP_UNARY;
    case 'isNull': case 'isTruth': case 'isDistinct': return BP_IS;
    case 'in':
    case 'between':
    case 'like':
      return BP_RANGE;
    case 'subquery': return expr.mode === 'in' ? BP_RANGE : ATOM;
    default: return ATOM;
  }
}

/**
 * `expr` printed where the parser reads an operand of at least strength `min`, parenthesized
 * when it binds looser: the text must read back as the same tree, since it is also the key
 * that matches a select item to a GROUP BY expression (`-(g + 1)` is not `-g + 1`).
 */
function operand(expr: Expr, min: number): string {
  const text = printExpr(expr);
  return strength(expr) < min ? `(${text})` : text;
}

/** SQL text of a value as a literal (strings quoted, `''` escaped). */
export function printValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/** A literal as printExpr writes it, text the parser reads back as the same literal. */
function printLiteral(value: SqlValue, type: SqlType | null): string {
  // Strings keep their case; keywords (NULL, TRUE) print lower-case like the rest.
  if (typeof value === 'string') return printValue(value);
  // A whole FLOAT needs a point to read back as FLOAT; `1e+21` has its exponent instead.
  const whole = type === 'FLOAT' && Number.isInteger(value) && !/e/i.test(String(value));
  if (whole) return `${String(value)}.0`;
  return printValue(value).toLowerCase();
}

/**
 * Canonical lower-case text of an expression: the default output column name
 * (`count(*)`, `avg_1h(temp)`, `time_bucket('1m', ts)`) and the key that matches a
 * select item against a GROUP BY expression.
 */
export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return printLiteral(expr.value, expr.type);
    case 'param':
      return `$${expr.index}`;
    case 'column':
      return expr.name;
    case 'unary': {
      if (expr.op === 'NOT') return `not ${operand(expr.operand, BP_NOT)}`;
      const text = operand(expr.operand, BP_UNARY);
      // `--x` would start a comment: the minus of a negative is parenthesized.
      return text.startsWith('-') ? `-(${text})` : `-${text}`;
    }
    case 'binary': {
      const own = PRECEDENCE[expr.op];
      // Left-associative: an equal-strength child needs parentheses only on the right,
      // except under AND/OR (associative, long chains are built balanced) and comparisons
      // (which do not chain at all).
      const associative = expr.op === 'AND' || expr.op === 'OR';
      const comparison = own === BP_COMPARE;
      const left = operand(expr.left, comparison ? own + 1 : own);
      const right = operand(expr.right, associative ? own : own + 1);
      return `${left} ${expr.op.toLowerCase()} ${right}`;
    }
    case 'isNull':
      return `${operand(expr.operand, BP_IS)} is ${expr.negated ? 'not ' : ''}null`;
    case 'isTruth':
      return `${operand(expr.operand, BP_IS)} is ${expr.negated ? 'not ' : ''}${expr.truth.toLowerCase()}`;
    case 'isDistinct':
      return `${operand(expr.left, BP_IS)} is ${expr.negated ? 'not ' : ''}distinct from ${operand(expr.right, BP_IS + 1)}`;
    case 'in':
      return `${operand(expr.operand, BP_RANGE)} ${expr.negated ? 'not ' : ''}in (${expr.list
        .map(printExpr)
        .join(', ')})`;
    case 'between':
      return `${operand(expr.operand, BP_RANGE)} ${expr.negated ? 'not ' : ''}between ${operand(
        expr.low, BP_RANGE + 1,
      )} and ${operand(expr.high, BP_RANGE + 1)}`;
    case 'like':
      return printLike(expr);
    case 'call':
      return printCall(expr);
    case 'aggregate':
      return printAggregate(expr);
    case 'cast':
      return `cast(${printExpr(expr.operand)} as ${expr.type.toLowerCase()})`;
    case 'case': {
      const operand = expr.operand === null ? '' : ` ${printExpr(expr.operand)}`;
      const arms = expr.whens.map((w) => ` when ${printExpr(w.when)} then ${printExpr(w.then)}`);
      const otherwise = expr.otherwise === null ? '' : ` else ${printExpr(expr.otherwise)}`;
      return `case${operand}${arms.join('')}${otherwise} end`;
    }
    case 'window':
      // COUNT(*) is the window count with no argument (count() itself does not parse).
      return `${expr.name}(${expr.name === 'count' && expr.args.length === 0 ? '*' : expr.args.map(printExpr).join(', ')}) over (${printWindowSpec(expr)})`;
    case 'subquery':
      if (expr.mode === 'in') {
        return `${operand(expr.operand as Expr, BP_RANGE)} ${expr.negated ? 'not ' : ''}in (select ...)`;
      }
      return expr.mode === 'exists' ? 'exists (select ...)' : '(select ...)';
    case 'subqueryError':
      return '(select ...)';
    default:
      return assertNever(expr, 'expression');
  }
}

/** A qualified, table-aware key (two columns of different tables never collide). */
export function exprKey(expr: Expr): string {
  if (expr.kind === 'column') return `${expr.table ?? ''}.${expr.name}`;
  return printExpr(expr);
}

/** The inside of OVER (...): PARTITION BY, ORDER BY and the frame, as given. */
function printWindowSpec(expr: Extract<Expr, { kind: 'window' }>): string {
  const parts: string[] = [];
  if (expr.partitionBy.length > 0) parts.push(`partition by ${expr.partitionBy.map(printExpr).join(', ')}`);
  if (expr.orderBy.length > 0) parts.push(printOrderBy(expr.orderBy));
  const frame = expr.frame;
  if (frame !== null) {
    const bound = (b: FrameBound): string => {
      switch (b.kind) {
        case 'unboundedPreceding': return 'unbounded preceding';
        case 'preceding': return `${b.rows} preceding`;
        case 'currentRow': return 'current row';
        case 'following': return `${b.rows} following`;
        case 'unboundedFollowing': return 'unbounded following';
        default: return assertNever(b, 'frame bound');
      }
    };
    parts.push(`${frame.unit.toLowerCase()} between ${bound(frame.start)} and ${bound(frame.end)}`);
  }
  return parts.join(' ');
}

/** `name([distinct] arg[, second] [order by ...]) [filter (where cond)]`; ordered-set ones with WITHIN GROUP. */
function printAggregate(expr: Extract<Expr, { kind: 'aggregate' }>): string {
  const filter = expr.filter === null ? '' : ` filter (where ${printExpr(expr.filter)})`;
  if (expr.name === 'percentile_cont' || expr.name === 'percentile_disc' || expr.name === 'mode') {
    return `${expr.name}(${expr.second === null ? '' : printExpr(expr.second)}) within group (${printOrderBy(expr.orderBy)})${filter}`;
  }
  const arg = expr.arg === null ? '*' : printExpr(expr.arg);
  const second = expr.second === null ? '' : `, ${printExpr(expr.second)}`;
  const order = expr.orderBy.length === 0 ? '' : ` ${printOrderBy(expr.orderBy)}`;
  return `${expr.name}(${expr.distinct ? 'distinct ' : ''}${arg}${second}${order})${filter}`;
}

/** `order by x [desc] [nulls first|last], ...` of a window or an aggregate call (NULLS where not the default). */
function printOrderBy(items: readonly OrderItem[]): string {
  const nulls = (o: OrderItem): string => (o.nullsFirst === o.descending ? '' : o.nullsFirst ? ' nulls first' : ' nulls last');
  return `order by ${items.map((o) => `${printExpr(o.expr)}${o.descending ? ' desc' : ''}${nulls(o)}`).join(', ')}`;
}

/** `x [not] like|ilike pattern [escape 'c']`. */
function printLike(expr: Extract<Expr, { kind: 'like' }>): string {
  const escape = expr.escape === undefined ? '' : ` escape '${expr.escape.replaceAll("'", "''")}'`;
  const word = expr.caseInsensitive === true ? 'ilike' : 'like';
  return `${operand(expr.operand, BP_RANGE)} ${expr.negated ? 'not ' : ''}${word} ${operand(expr.pattern, BP_RANGE + 1)}${escape}`;
}

/** A function call as written; `position(sub in s)` and `extract(f from ts)` keep their standard SQL forms. */
function printCall(expr: Extract<Expr, { kind: 'call' }>): string {
  const [first, second] = expr.args;
  if (expr.name === 'position' && first !== undefined && second !== undefined) {
    return `position(${operand(first, BP_RANGE + 1)} in ${operand(second, BP_RANGE + 1)})`;
  }
  if (expr.name === 'extract' && first?.kind === 'literal' && typeof first.value === 'string' && second !== undefined) {
    return `extract(${first.value.toLowerCase()} from ${printExpr(second)})`;
  }
  return `${expr.name}(${expr.args.map(printExpr).join(', ')})`;
}
