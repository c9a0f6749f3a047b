import { ChronosError } from '../lib/index.js';
import type { Expr, Statement } from './ast.js';

/**
 * Deepest expression tree a statement may hold. Planning and evaluation walk trees
 * recursively, so this keeps them far from the stack limit; a long `a + b + c ...` chain is
 * a left-deep tree one level per operator.
 */
export const MAX_EXPR_DEPTH = 1000;

function children(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'unary': case 'isNull': return [e.operand];
    case 'binary': return [e.left, e.right];
    case 'in': return [e.operand, ...e.list];
    case 'between': return [e.operand, e.low, e.high];
    case 'like': return [e.operand, e.pattern];
    case 'call': return e.args;
    case 'aggregate': return e.arg === null ? [] : [e.arg];
    default: return [];
  }
}

function rootsOf(s: Statement): (Expr | null)[] {
  switch (s.kind) {
    case 'select':
      return [
        ...s.items.map((i) => (i.kind === 'expr' ? i.expr : null)),
        ...s.joins.map((j) => j.on), s.where, ...s.groupBy, s.having,
        ...s.orderBy.map((o) => o.expr), s.limit, s.offset,
      ];
    case 'insert': return s.rows.flat();
    case 'update': return [...s.assignments.map((a) => a.value), s.where];
    case 'delete': return [s.where];
    default: return [];
  }
}

/** Refuse a statement whose expressions nest deeper than MAX_EXPR_DEPTH (iterative walk). */
export function checkExprDepth(s: Statement): void {
  const stack: [Expr, number][] = [];
  for (const root of rootsOf(s)) if (root !== null) stack.push([root, 1]);
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [expr, depth] = top;
    if (depth > MAX_EXPR_DEPTH) {
      throw new ChronosError(
        'LIMIT_EXCEEDED',
        `Expression nests deeper than ${MAX_EXPR_DEPTH} levels (each operator of an ` +
          'unparenthesized + - * / || chain is one level); use IN (...) or split the statement',
        { details: { limit: MAX_EXPR_DEPTH } },
      );
    }
    for (const child of children(expr)) stack.push([child, depth + 1]);
  }
}
