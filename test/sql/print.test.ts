import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import type { BinaryOp, Expr } from '../../src/sql/ast.js';
import { parseStatement } from '../../src/sql/parse.js';
import { printExpr } from '../../src/sql/print.js';
import { newSession, rowsOf } from './support.js';

const OPS: readonly BinaryOp[] = ['OR', 'AND', '=', '!=', '<', '<=', '>', '>=', '||', '+', '-', '*', '/', '%'];

/** The WHERE of `SELECT 1 FROM t WHERE <text>`: how the parser reads an expression. */
function parseExpr(text: string): Expr {
  const statement = parseStatement(`SELECT 1 FROM t WHERE ${text}`);
  if (statement.kind !== 'select' || statement.where === null) throw new Error(`not a WHERE: ${text}`);
  return statement.where;
}

function leaf(rng: Random): Expr {
  return rng.pick<Expr>([
    { kind: 'column', table: null, name: 'g' },
    { kind: 'literal', value: 2, type: 'INT' },
    { kind: 'literal', value: -3, type: 'INT' },
    { kind: 'literal', value: 'a', type: 'STRING' },
    // FLOATs, whole and with exponents: each must print as a FLOAT literal the parser reads back.
    { kind: 'literal', value: 2, type: 'FLOAT' },
    { kind: 'literal', value: 2.5, type: 'FLOAT' },
    { kind: 'literal', value: 1e21, type: 'FLOAT' },
    { kind: 'literal', value: 1e-7, type: 'FLOAT' },
  ]);
}

/**
 * A random tree of operators, shaped freely (the parser never builds `-(g + 2)` from `-g + 2`).
 * No minus directly over a literal: the parser folds that into a negative literal.
 */
function randomExpr(rng: Random, depth: number): Expr {
  if (depth === 0) return leaf(rng);
  const child = (): Expr => randomExpr(rng, depth - 1);
  return rng.pick<() => Expr>([
    () => ({ kind: 'binary', op: rng.pick(OPS), left: child(), right: child() }),
    () => ({ kind: 'binary', op: rng.pick(OPS), left: child(), right: child() }),
    () => {
      const operand = child();
      return operand.kind === 'literal' ? operand : { kind: 'unary', op: '-', operand };
    },
    () => ({ kind: 'unary', op: 'NOT', operand: child() }),
    () => ({ kind: 'isNull', operand: child(), negated: rng.chance(0.5) }),
    () => ({ kind: 'in', operand: child(), list: [child(), leaf(rng)], negated: rng.chance(0.5) }),
    () => ({ kind: 'between', operand: child(), low: child(), high: child(), negated: rng.chance(0.5) }),
    () => ({ kind: 'like', operand: child(), pattern: child(), negated: rng.chance(0.5) }),
  ])();
}

/** `expr` with AND/OR chains flattened: they associate, so the parser may group them otherwise. */
function flat(expr: Expr): unknown {
  if (expr.kind === 'binary' && (expr.op === 'AND' || expr.op === 'OR')) {
    const operands = (e: Expr): unknown[] =>
      e.kind === 'binary' && e.op === expr.op ? [...operands(e.left), ...operands(e.right)] : [flat(e)];
    return { chain: expr.op, operands: operands(expr) };
  }
  if (expr.kind === 'binary') return { ...expr, left: flat(expr.left), right: flat(expr.right) };
  if (expr.kind === 'unary' || expr.kind === 'isNull') return { ...expr, operand: flat(expr.operand) };
  if (expr.kind === 'in') return { ...expr, operand: flat(expr.operand), list: expr.list.map(flat) };
  if (expr.kind === 'between') return { ...expr, operand: flat(expr.operand), low: flat(expr.low), high: flat(expr.high) };
  if (expr.kind === 'like') return { ...expr, operand: flat(expr.operand), pattern: flat(expr.pattern) };
  return expr;
}

describe('printExpr', () => {
  // The printed text is the key matching a select item to GROUP BY: two trees must never share it.
  it('prints text that the parser reads back as the same tree', () => {
    const rng = new Random(20261205);
    for (let i = 0; i < 3000; i++) {
      const expr = randomExpr(rng, rng.between(1, 4));
      const text = printExpr(expr);
      expect(flat(parseExpr(text)), text).toEqual(flat(expr));
    }
  });

  it.each([
    ['-(g + 1)', '-(g + 1)'], ['-g + 1', '-g + 1'], ['-(-g)', '-(-g)'], ['- -g', '-(-g)'],
    ['NOT (a AND b)', 'not (a and b)'], ['(NOT a) = b', '(not a) = b'], ['a = (b IS NULL)', 'a = (b is null)'],
  ])('%s prints as %s', (sql, printed) => {
    expect(printExpr(parseExpr(sql))).toBe(printed);
  });

  it('keeps -(g + 1) and -g + 1 apart in GROUP BY', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, g INT)');
    await session.execute('INSERT INTO t VALUES (1, 2), (2, 5)');
    await expect(session.execute('SELECT -g + 1 FROM t GROUP BY -(g + 1)')).rejects.toThrow(/must appear in GROUP BY/);
    expect(rowsOf(await session.execute('SELECT -(g + 1) FROM t GROUP BY -(g + 1) ORDER BY 1'))).toEqual([[-6], [-3]]);
  });
});
