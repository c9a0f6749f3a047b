import { assertNever } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import type { BinaryOp, Expr, FrameBound } from './ast.js';

const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  OR: 1, AND: 2, '=': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4,
  '||': 5, '+': 6, '-': 6, '*': 7, '/': 7, '%': 7,
};

/** SQL text of a value as a literal (strings quoted, `''` escaped). */
export function printValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

/**
 * Canonical lower-case text of an expression: the default output column name
 * (`count(*)`, `avg_1h(temp)`, `time_bucket('1m', ts)`) and the key that matches a
 * select item against a GROUP BY expression.
 */
export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      // Strings keep their case; keywords (NULL, TRUE) print lower-case like the rest.
      if (typeof expr.value === 'string') return printValue(expr.value);
      if (expr.type === 'FLOAT' && Number.isInteger(expr.value)) return `${String(expr.value)}.0`;
      return printValue(expr.value).toLowerCase();
    case 'param':
      return `$${expr.index}`;
    case 'column':
      return expr.name;
    case 'unary':
      return expr.op === '-' ? `-${printExpr(expr.operand)}` : `not ${printExpr(expr.operand)}`;
    case 'binary': {
      const own = PRECEDENCE[expr.op];
      // Parenthesise a child that binds looser than its parent (right side: also equal).
      const side = (child: Expr, right: boolean): string => {
        const text = printExpr(child);
        if (child.kind !== 'binary') return text;
        const inner = PRECEDENCE[child.op];
        // AND/OR are associative (long chains are built balanced): equal needs no parens.
        const associative = expr.op === 'AND' || expr.op === 'OR';
        return inner < own || (right && inner === own && !associative) ? `(${text})` : text;
      };
      return `${side(expr.left, false)} ${expr.op.toLowerCase()} ${side(expr.right, true)}`;
    }
    case 'isNull':
      return `${printExpr(expr.operand)} is ${expr.negated ? 'not ' : ''}null`;
    case 'in':
      return `${printExpr(expr.operand)} ${expr.negated ? 'not ' : ''}in (${expr.list
        .map(printExpr)
        .join(', ')})`;
    case 'between':
      return `${printExpr(expr.operand)} ${expr.negated ? 'not ' : ''}between ${printExpr(
        expr.low,
      )} and ${printExpr(expr.high)}`;
    case 'like':
      return `${printExpr(expr.operand)} ${expr.negated ? 'not ' : ''}like ${printExpr(
        expr.pattern,
      )}`;
    case 'call':
      return `${expr.name}(${expr.args.map(printExpr).join(', ')})`;
    case 'aggregate':
      return `${expr.name}(${expr.distinct ? 'distinct ' : ''}${
        expr.arg === null ? '*' : printExpr(expr.arg)
      }${expr.by === null ? '' : `, ${printExpr(expr.by)}`})`;
    case 'cast':
      return `cast(${printExpr(expr.operand)} as ${expr.type.toLowerCase()})`;
    case 'case': {
      const operand = expr.operand === null ? '' : ` ${printExpr(expr.operand)}`;
      const arms = expr.whens.map((w) => ` when ${printExpr(w.when)} then ${printExpr(w.then)}`);
      const otherwise = expr.otherwise === null ? '' : ` else ${printExpr(expr.otherwise)}`;
      return `case${operand}${arms.join('')}${otherwise} end`;
    }
    case 'window':
      return `${expr.name}(${expr.args.map(printExpr).join(', ')}) over (${printWindowSpec(expr)})`;
    case 'subquery':
      if (expr.mode === 'in') {
        return `${printExpr(expr.operand as Expr)} ${expr.negated ? 'not ' : ''}in (select ...)`;
      }
      return expr.mode === 'exists' ? 'exists (select ...)' : '(select ...)';
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
  if (expr.orderBy.length > 0) {
    parts.push(`order by ${expr.orderBy.map((o) => `${printExpr(o.expr)}${o.descending ? ' desc' : ''}`).join(', ')}`);
  }
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
