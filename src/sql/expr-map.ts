import type { Expr, Statement } from './ast.js';

/** `e` with every direct operand replaced by `f(operand)` (one level; `f` recurses if it wants). */
export function mapOperands(e: Expr, f: (child: Expr) => Expr): Expr {
  const opt = (x: Expr | null): Expr | null => (x === null ? null : f(x));
  switch (e.kind) {
    case 'unary': case 'isNull': case 'isTruth': case 'cast': return { ...e, operand: f(e.operand) };
    case 'binary': case 'isDistinct': return { ...e, left: f(e.left), right: f(e.right) };
    case 'in': return { ...e, operand: f(e.operand), list: e.list.map(f) };
    case 'between': return { ...e, operand: f(e.operand), low: f(e.low), high: f(e.high) };
    case 'like': return { ...e, operand: f(e.operand), pattern: f(e.pattern) };
    case 'call': return { ...e, args: e.args.map(f) };
    case 'aggregate': return {
      ...e, arg: opt(e.arg), second: opt(e.second), filter: opt(e.filter), orderBy: e.orderBy.map((o) => ({ ...o, expr: f(o.expr) })),
    };
    case 'case': return {
      ...e, operand: opt(e.operand), otherwise: opt(e.otherwise),
      whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })),
    };
    case 'subquery': return { ...e, operand: opt(e.operand) };
    case 'window': return {
      ...e, args: e.args.map(f), partitionBy: e.partitionBy.map(f), orderBy: e.orderBy.map((o) => ({ ...o, expr: f(o.expr) })),
    };
    default: return e;
  }
}

/** The statement with `f` applied to each top-level expression (select list, WHERE, ...). */
export function mapStatementExprs(s: Statement, f: (e: Expr) => Expr): Statement {
  const opt = (x: Expr | null): Expr | null => (x === null ? null : f(x));
  switch (s.kind) {
    case 'select':
      return {
        ...s,
        items: s.items.map((i) => (i.kind === 'expr' ? { ...i, expr: f(i.expr) } : i)),
        ...(s.distinctOn === undefined ? {} : { distinctOn: s.distinctOn.map(f) }),
        joins: s.joins.map((j) => ({ ...j, on: opt(j.on) })),
        where: opt(s.where), groupBy: s.groupBy.map(f), having: opt(s.having),
        orderBy: s.orderBy.map((o) => ({ ...o, expr: f(o.expr) })),
        limit: opt(s.limit), offset: opt(s.offset),
      };
    case 'insert': {
      const rows = 'kind' in s.rows ? s.rows : s.rows.map((r) => r.map(f));
      const conflict = s.onConflict;
      if (conflict === undefined) return { ...s, rows };
      const assignments = conflict.assignments.map((a) => ({ ...a, value: f(a.value) }));
      return { ...s, rows, onConflict: { ...conflict, assignments, where: opt(conflict.where) } };
    }
    case 'update':
      return { ...s, assignments: s.assignments.map((a) => ({ ...a, value: f(a.value) })), where: opt(s.where) };
    case 'delete': return { ...s, where: opt(s.where) };
    default: return s;
  }
}
