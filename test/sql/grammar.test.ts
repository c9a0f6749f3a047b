import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import type { Expr } from '../../src/sql/ast.js';
import { parseStatement } from '../../src/sql/parse.js';
import { newSession, rowsOf } from './support.js';

/** The tree of an expression with every node parenthesized, so grouping is visible. */
function grouped(e: Expr): string {
  switch (e.kind) {
    case 'literal': return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
    case 'column': return e.table === null ? e.name : `${e.table}.${e.name}`;
    case 'unary': return `(${e.op} ${grouped(e.operand)})`;
    case 'binary': return `(${grouped(e.left)} ${e.op} ${grouped(e.right)})`;
    case 'isNull': return `(${grouped(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL)`;
    case 'in': return `(${grouped(e.operand)} ${e.negated ? 'NOT ' : ''}IN [${e.list.map(grouped).join(', ')}])`;
    case 'between': return `(${grouped(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${grouped(e.low)} AND ${grouped(e.high)})`;
    case 'like': return `(${grouped(e.operand)} ${e.negated ? 'NOT ' : ''}LIKE ${grouped(e.pattern)})`;
    case 'call': return `${e.name}(${e.args.map(grouped).join(', ')})`;
    case 'aggregate': return `${e.name}(${e.arg === null ? '*' : grouped(e.arg)})`;
    default: return e.kind;
  }
}

function whereOf(condition: string): string {
  const s = parseStatement(`SELECT 1 FROM t WHERE ${condition}`);
  if (s.kind !== 'select' || s.where === null) throw new Error('no WHERE');
  return grouped(s.where);
}

describe('precedence and associativity are PostgreSQL\'s', () => {
  it.each([
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b OR c', '((a AND b) OR c)'],
    ['NOT a AND b', '((NOT a) AND b)'],
    ['NOT a = 1', '(NOT (a = 1))'],
    ['NOT a IS NULL', '(NOT (a IS NULL))'],
    ['a + 1 IS NOT NULL OR b', '(((a + 1) IS NOT NULL) OR b)'],
    ['a = 1 IS NULL', '((a = 1) IS NULL)'],
    ['a + b * c = d - e / f % g', '((a + (b * c)) = (d - ((e / f) % g)))'],
    ['a - b - c > 0', '(((a - b) - c) > 0)'],
    ['a / b * c > 0', '(((a / b) * c) > 0)'],
    ['-a * b > 0', '(((- a) * b) > 0)'],
    ['-2 * b > 0', '((-2 * b) > 0)'],
    ['- (a + b) > 0', '((- (a + b)) > 0)'],
    ["s || 'x' || t = 'y'", "(((s || 'x') || t) = 'y')"],
    ["s || 'x' LIKE 'a%'", "((s || 'x') LIKE 'a%')"],
    ["a || b + c = 'x'", "((a || (b + c)) = 'x')"],
    ['a BETWEEN 1 AND 2 AND b', '((a BETWEEN 1 AND 2) AND b)'],
    ['a + 1 NOT BETWEEN b * 2 AND c - 1 OR d', '(((a + 1) NOT BETWEEN (b * 2) AND (c - 1)) OR d)'],
    ['a * 2 IN (1, 2 + 3) AND b', '(((a * 2) IN [1, (2 + 3)]) AND b)'],
    ['NOT a NOT IN (1) OR b', '((NOT (a NOT IN [1])) OR b)'],
    ['a = b + 1 AND NOT c < d OR e', '(((a = (b + 1)) AND (NOT (c < d))) OR e)'],
    ['(a OR b) AND c', '((a OR b) AND c)'],
    ['t.a <> 1', '(t.a != 1)'],
  ])('%s', (condition, tree) => {
    expect(whereOf(condition)).toBe(tree);
  });

  it('builds long AND/OR chains balanced, so 5000 ORs parse, plan and run', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY)');
    await session.execute(`INSERT INTO t VALUES ${Array.from({ length: 50 }, (_, i) => `(${i})`).join(', ')}`);
    const where = Array.from({ length: 5000 }, (_, i) => `id = ${i * 2}`).join(' OR ');
    expect(rowsOf(await session.execute(`SELECT count(*) FROM t WHERE ${where}`))).toEqual([[25]]);
  });
});

describe('ORDER BY NULLS FIRST | LAST', () => {
  it.each([
    ['ORDER BY g', [1, 2, null]],
    ['ORDER BY g ASC NULLS FIRST', [null, 1, 2]],
    ['ORDER BY g DESC', [null, 2, 1]],
    ['ORDER BY g DESC NULLS LAST', [2, 1, null]],
    ['ORDER BY g NULLS LAST', [1, 2, null]],
  ])('%s', async (order, expected) => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, g INT)');
    await session.execute('INSERT INTO t VALUES (1, 2), (2, NULL), (3, 1)');
    expect(rowsOf(await session.execute(`SELECT g FROM t ${order}`)).map((r) => r[0])).toEqual(expected);
  });
});

describe('refused by name, never mis-read', () => {
  it.each([
    ['SELECT a FROM t WHERE a < b < c', 'PARSE_ERROR', /comparison operators do not chain/],
    ['SELECT sum(a) OVER (ORDER BY a GROUPS 1 PRECEDING) FROM t', 'UNSUPPORTED', /^Unsupported: GROUPS frames/],
    ['SELECT a FROM (SELECT 1)', 'PARSE_ERROR', /a subquery in FROM needs a name/],
    ['WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3 ORDER BY 1) SELECT n FROM x', 'UNSUPPORTED', /^Unsupported: ORDER BY in WITH RECURSIVE x/],
    ['SELECT a FROM t WHERE a IS JSON', 'PARSE_ERROR', /expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS/],
    ["SELECT a FROM t WHERE a SIMILAR TO 'x'", 'UNSUPPORTED', /^Unsupported: SIMILAR \(use LIKE\)/],
    ["SELECT a FROM t WHERE a LIKE 'x' ESCAPE b", 'UNSUPPORTED', /^Unsupported: LIKE \.\.\. ESCAPE of anything but a string literal$/],
    ["SELECT a FROM t WHERE a LIKE 'x' ESCAPE '!!'", 'INVALID_ARGUMENT', "LIKE ... ESCAPE takes one character, got '!!'"],
    ['SELECT a FROM t NATURAL RIGHT JOIN u ON t.a = u.a', 'PARSE_ERROR', /a NATURAL JOIN takes no ON or USING/],
    ['SELECT a FROM t RIGHT JOIN u', 'PARSE_ERROR', /RIGHT JOIN needs ON or USING/],
    // A comma binds looser than JOIN, which left-deep joins would not honour here.
    ['SELECT a FROM t, u RIGHT JOIN v ON v.a = u.a', 'UNSUPPORTED', /^Unsupported: RIGHT JOIN after a comma in FROM \(write CROSS JOIN for the comma\)$/],
    ['SELECT DISTINCT ON a FROM t', 'PARSE_ERROR', /expected '\('/],
    ['INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT k DO NOTHING', 'UNSUPPORTED', /^Unsupported: ON CONFLICT ON CONSTRAINT$/],
    ['DELETE FROM t RETURNING a', 'UNSUPPORTED', /^Unsupported: RETURNING$/],
    ['ALTER INDEX i RENAME TO j', 'UNSUPPORTED', /^Unsupported: ALTER INDEX statements$/],
    ['ALTER TABLE t ALTER COLUMN b TYPE INT', 'UNSUPPORTED', /^Unsupported: ALTER TABLE \.\.\. ALTER$/],
    ['ALTER TABLE t ADD b INT, ADD c INT', 'UNSUPPORTED', /^Unsupported: several ALTER TABLE actions in one statement$/],
    ['ALTER TABLE t ADD COLUMN b INT DEFAULT 0', 'UNSUPPORTED', /^Unsupported column constraint DEFAULT on column b$/],
    ['ALTER TABLE t ADD COLUMN b INT PRIMARY KEY', 'UNSUPPORTED', /^Unsupported: ALTER TABLE \.\.\. ADD COLUMN \.\.\. PRIMARY KEY$/],
    ['ALTER TABLE t ADD CONSTRAINT k UNIQUE (b)', 'UNSUPPORTED', /^Unsupported: ALTER TABLE \.\.\. CONSTRAINT$/],
    ['ALTER TABLE t DROP COLUMN b CASCADE', 'UNSUPPORTED', /^Unsupported: ALTER TABLE \.\.\. DROP COLUMN \.\.\. CASCADE$/],
    ['ALTER TABLE IF EXISTS t RENAME TO u', 'UNSUPPORTED', /^Unsupported: ALTER TABLE IF EXISTS$/],
    ['ALTER TABLE t RENAME a', 'PARSE_ERROR', /expected TO/],
    ['EXPLAIN ANALYZE SELECT 1', 'UNSUPPORTED', /^Unsupported: EXPLAIN ANALYZE$/],
    ['SHOW search_path', 'UNSUPPORTED', /^Unsupported: SHOW SEARCH_PATH$/],
    ['SELECT a FROM t ORDER BY a NULLS MIDDLE', 'PARSE_ERROR', /expected FIRST or LAST after NULLS/],
    ['SELECT sum(a ORDER BY a) FROM t', 'UNSUPPORTED', /^Unsupported: ORDER BY inside sum\(\) \(string_agg and group_concat take one\)$/],
    ['SELECT a FROM t LIMIT 1 FETCH FIRST 2 ROWS ONLY', 'UNSUPPORTED', /^Unsupported: FETCH FIRST/],
    ['SELECT a FROM t WHERE (a, b) = (1, 2)', 'UNSUPPORTED', /^Unsupported: row values$/],
    ['SELECT a FROM t WHERE', 'PARSE_ERROR', /^Parse error: unexpected end of statement$/],
    ['SELECT a FROM t WHERE a = 1 b', 'PARSE_ERROR', /^Parse error: unexpected 'b' at line 1, column 29$/],
  ] as const)('%s', (sql, code, message) => {
    const error: unknown = (() => { try { parseStatement(sql); return undefined; } catch (e) { return e; } })();
    expect(isChronosError(error, code), String(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
