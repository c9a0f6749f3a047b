import { ChronosError } from '../lib/index.js';
import type { Expr, Statement } from './ast.js';

/**
 * Deepest expression tree a statement may hold. Planning and evaluation walk trees
 * recursively, so this keeps them far from the stack limit; a long `a + b + c ...` chain is
 * a left-deep tree one level per operator.
 */
export const MAX_EXPR_DEPTH = 1000;

/** Call `visit` on each direct operand of `e` (no array built: IN lists can be huge). */
export function eachChild(e: Expr, visit: (child: Expr) => void): void {
  switch (e.kind) {
    case 'unary': case 'isNull': case 'isTruth': visit(e.operand); return;
    case 'binary': case 'isDistinct': visit(e.left); visit(e.right); return;
    case 'in': visit(e.operand); for (const item of e.list) visit(item); return;
    case 'between': visit(e.operand); visit(e.low); visit(e.high); return;
    case 'like': visit(e.operand); visit(e.pattern); return;
    case 'call': for (const arg of e.args) visit(arg); return;
    case 'aggregate':
      if (e.arg !== null) visit(e.arg);
      if (e.second !== null) visit(e.second);
      for (const order of e.orderBy) visit(order.expr);
      if (e.filter !== null) visit(e.filter);
      return;
    case 'cast': visit(e.operand); return;
    case 'subquery': if (e.operand !== null) visit(e.operand); return;
    case 'window':
      for (const arg of e.args) visit(arg);
      for (const key of e.partitionBy) visit(key);
      for (const order of e.orderBy) visit(order.expr);
      return;
    case 'case':
      if (e.operand !== null) visit(e.operand);
      for (const arm of e.whens) { visit(arm.when); visit(arm.then); }
      if (e.otherwise !== null) visit(e.otherwise);
      return;
    default: return;
  }
}

/** The top-level expressions of a statement (null where a clause is absent). */
export function rootsOf(s: Statement): (Expr | null)[] {
  switch (s.kind) {
    case 'select':
      return [
        ...s.items.map((i) => (i.kind === 'expr' ? i.expr : null)), ...(s.distinctOn ?? []),
        ...s.joins.map((j) => j.on), s.where, ...s.groupBy, s.having,
        ...s.orderBy.map((o) => o.expr), s.limit, s.offset,
      ];
    case 'insert': {
      // Flat literal rows hold no expressions.
      const values = 'kind' in s.rows ? [] : s.rows.flat();
      const conflict = s.onConflict;
      if (conflict === undefined) return values;
      return [...values, ...conflict.assignments.map((a) => a.value), conflict.where];
    }
    case 'update': return [...s.assignments.map((a) => a.value), s.where];
    case 'delete': return [s.where];
    default: return [];
  }
}

/** Refuse a statement whose expressions nest deeper than MAX_EXPR_DEPTH (iterative walk). */
export function checkExprDepth(s: Statement): void {
  // Two parallel stacks, and leaves never pushed: long IN/VALUES lists are mostly literals.
  const nodes: Expr[] = [];
  const depths: number[] = [];
  for (const root of rootsOf(s)) {
    if (root !== null) {
      nodes.push(root);
      depths.push(1);
    }
  }
  for (let expr = nodes.pop(); expr !== undefined; expr = nodes.pop()) {
    const depth = depths.pop() as number;
    if (depth > MAX_EXPR_DEPTH) {
      throw new ChronosError(
        'LIMIT_EXCEEDED',
        `Expression nests deeper than ${MAX_EXPR_DEPTH} levels (each operator of an ` +
          'unparenthesized + - * / || chain is one level); use IN (...) or split the statement',
        { details: { limit: MAX_EXPR_DEPTH } },
      );
    }
    if (expr.kind === 'subquery') checkExprDepth(expr.query);
    eachChild(expr, (child) => {
      if (child.kind === 'literal' || child.kind === 'column') return;
      nodes.push(child);
      depths.push(depth + 1);
    });
  }
}
