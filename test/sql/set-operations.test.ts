import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/sql/parse.js';
import { expectError, newSession, rowsOf } from './support.js';

async function fixture() {
  const { session } = await newSession();
  await session.execute('CREATE TABLE a (x INT)');
  await session.execute('INSERT INTO a VALUES (1), (1), (2), (3), (NULL)');
  await session.execute('CREATE TABLE b (y FLOAT)');
  await session.execute('INSERT INTO b VALUES (1.0), (3.0), (3.0), (4.5), (NULL)');
  return session;
}

describe('UNION, INTERSECT, EXCEPT', () => {
  it.each([
    ['SELECT x FROM a UNION SELECT y FROM b ORDER BY 1', [[1], [2], [3], [4.5], [null]]],
    ['SELECT x FROM a UNION ALL SELECT y FROM b ORDER BY x NULLS FIRST', [[null], [null], [1], [1], [1], [2], [3], [3], [3], [4.5]]],
    ['SELECT x FROM a INTERSECT SELECT y FROM b ORDER BY 1', [[1], [3], [null]]],
    ['SELECT x FROM a INTERSECT ALL SELECT y FROM b ORDER BY 1', [[1], [3], [null]]],
    ['SELECT x FROM a EXCEPT SELECT y FROM b', [[2]]],
    ['SELECT x FROM a EXCEPT ALL SELECT y FROM b ORDER BY 1', [[1], [2]]],
    // INTERSECT binds tighter: a UNION (b INTERSECT c), not (a UNION b) INTERSECT c.
    ['SELECT 7 UNION SELECT x FROM a INTERSECT SELECT 2 ORDER BY 1', [[2], [7]]],
    ['SELECT x FROM a UNION SELECT y FROM b ORDER BY 1 DESC LIMIT 2 OFFSET 1', [[4.5], [3]]],
  ] as const)('%s', async (sql, expected) => {
    const session = await fixture();
    expect(rowsOf(await session.execute(sql))).toEqual(expected);
  });

  it('names columns after the first SELECT', async () => {
    const session = await fixture();
    const result = await session.execute('SELECT x AS n FROM a UNION SELECT y FROM b');
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['n']);
  });

  it('parses INTERSECT tighter than UNION and EXCEPT, left to right otherwise', () => {
    const s = parseStatement('SELECT 1 EXCEPT SELECT 2 UNION SELECT 3 INTERSECT SELECT 4');
    const shape = (t: unknown): unknown => {
      const term = t as { kind: string; op?: string; left?: unknown; right?: unknown };
      return term.kind === 'select' ? 's' : [term.op, shape(term.left), shape(term.right)];
    };
    expect(s.kind === 'compound' ? shape(s.body) : null).toEqual(['UNION', ['EXCEPT', 's', 's'], ['INTERSECT', 's', 's']]);
  });

  it.each([
    ['SELECT x FROM a UNION SELECT y, y FROM b', 'INVALID_ARGUMENT', 'Each side of UNION must have the same number of columns (1 and 2)'],
    ["SELECT x FROM a UNION SELECT 'z'", 'TYPE_MISMATCH', 'Type mismatch: UNION column 1 mixes INT, STRING'],
    ['SELECT x FROM a UNION SELECT y FROM b ORDER BY x + 1', 'INVALID_ARGUMENT', 'ORDER BY of UNION must name an output column or position (x)'],
    ['SELECT x FROM a ORDER BY x UNION SELECT y FROM b', 'UNSUPPORTED', 'Unsupported: UNION/INTERSECT/EXCEPT after ORDER BY or LIMIT'],
    ['SELECT x FROM a WHERE x IN (SELECT 1 UNION SELECT 2)', 'UNSUPPORTED', 'Unsupported: UNION/INTERSECT/EXCEPT inside a subquery'],
  ] as const)('%s', async (sql, code, message) => {
    await expectError(await fixture(), sql, code, message);
  });
});
