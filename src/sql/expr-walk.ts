import { ChronosError } from '../lib/index.js';
import type { Expr } from './ast.js';
import { printExpr } from './print.js';
import type { Scope } from './scope.js';

/** Key of an expression with columns replaced by their slots, so `t.a` and `a` are one key. */
export function resolvedKey(expr: Expr, scope: Scope): string {
  const map = (e: Expr): Expr => {
    switch (e.kind) {
      case 'column': {
        const c = scope.resolve(e.table, e.name);
        return { kind: 'column', table: null, name: `#${c.slot}` };
      }
      case 'unary': return { ...e, operand: map(e.operand) };
      case 'binary': return { ...e, left: map(e.left), right: map(e.right) };
      case 'isNull': case 'isTruth': return { ...e, operand: map(e.operand) };
      case 'isDistinct': return { ...e, left: map(e.left), right: map(e.right) };
      case 'in': return { ...e, operand: map(e.operand), list: e.list.map(map) };
      case 'between': return { ...e, operand: map(e.operand), low: map(e.low), high: map(e.high) };
      case 'like': return { ...e, operand: map(e.operand), pattern: map(e.pattern) };
      case 'call': return { ...e, args: e.args.map(map) };
      case 'aggregate': return {
        ...e, arg: e.arg === null ? null : map(e.arg), second: e.second === null ? null : map(e.second),
        filter: e.filter === null ? null : map(e.filter), orderBy: e.orderBy.map((o) => ({ ...o, expr: map(o.expr) })),
      };
      case 'cast': return { ...e, operand: map(e.operand) };
      case 'case': return {
        ...e, operand: e.operand === null ? null : map(e.operand),
        whens: e.whens.map((w) => ({ when: map(w.when), then: map(w.then) })),
        otherwise: e.otherwise === null ? null : map(e.otherwise),
      };
      default: return e;
    }
  };
  return printExpr(map(expr));
}

/** Append every aggregate call inside `expr` (nested aggregates are an error). */
export function collectAggregates(expr: Expr, out: Extract<Expr, { kind: 'aggregate' }>[]): void {
  switch (expr.kind) {
    case 'aggregate':
      if ([expr.arg, expr.second, ...expr.orderBy.map((o) => o.expr)].some((e) => e !== null && hasAggregate(e))) {
        throw new ChronosError(
          'INVALID_ARGUMENT',
          `Aggregate calls cannot be nested: ${printExpr(expr)}`,
        );
      }
      if (expr.filter !== null && hasAggregate(expr.filter)) {
        throw new ChronosError('INVALID_ARGUMENT', `Aggregates are not allowed in FILTER: ${printExpr(expr)}`);
      }
      out.push(expr);
      return;
    case 'unary': case 'isNull': case 'isTruth': collectAggregates(expr.operand, out); return;
    case 'binary': case 'isDistinct': collectAggregates(expr.left, out); collectAggregates(expr.right, out); return;
    case 'in': collectAggregates(
      expr.operand,
      out,
    ); expr.list.forEach((e) => collectAggregates(e, out)); return;
    case 'between': [
      expr.operand,
      expr.low,
      expr.high,
    ].forEach((e) => collectAggregates(e, out)); return;
    case 'like': collectAggregates(expr.operand, out); collectAggregates(expr.pattern, out); return;
    case 'call': expr.args.forEach((e) => collectAggregates(e, out)); return;
    case 'cast': collectAggregates(expr.operand, out); return;
    case 'subquery': if (expr.operand !== null) collectAggregates(expr.operand, out); return;
    case 'window':
      // Aggregates inside a window function are the query's own (SUM(SUM(x)) OVER ()).
      for (const e of [...expr.args, ...expr.partitionBy, ...expr.orderBy.map((o) => o.expr)]) collectAggregates(e, out);
      return;
    case 'case':
      if (expr.operand !== null) collectAggregates(expr.operand, out);
      for (const w of expr.whens) { collectAggregates(w.when, out); collectAggregates(w.then, out); }
      if (expr.otherwise !== null) collectAggregates(expr.otherwise, out);
      return;
    default: return;
  }
}

/** True when `expr` contains an aggregate call. */
export function hasAggregate(expr: Expr): boolean {
  const out: Extract<Expr, { kind: 'aggregate' }>[] = [];
  collectAggregates(expr, out);
  return out.length > 0;
}
