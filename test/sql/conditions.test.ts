import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { floatChain, intChain, predicateChain, stringTerm } from './sqlite-queries.js';
import { expectError, newSession, rowsOf, run } from './support.js';

const SETUP = [
  'CREATE TABLE t (id INT PRIMARY KEY, g INT, b BOOLEAN)',
  'INSERT INTO t VALUES (1, 1, TRUE), (2, NULL, NULL), (3, 5, FALSE)',
];

// sqlite3 reads a nonzero number as true and PostgreSQL refuses it; reading it as false (what
// this engine did) answers differently from both without a word, so it is refused.
describe('a condition must be BOOLEAN', () => {
  it.each([
    ['SELECT id FROM t WHERE g', /WHERE needs a BOOLEAN condition, got INT in 'g'/],
    ["SELECT id FROM t WHERE 'x'", /WHERE needs a BOOLEAN condition, got STRING/],
    ['SELECT g FROM t GROUP BY g HAVING count(*)', /HAVING needs a BOOLEAN condition, got INT in 'count\(\*\)'/],
    ['SELECT t.id FROM t JOIN t u ON t.g', /JOIN ON needs a BOOLEAN condition, got INT/],
    ['SELECT t.id FROM t LEFT JOIN t u ON 1', /JOIN ON needs a BOOLEAN condition, got INT in '1'/],
    ['UPDATE t SET g = 2 WHERE g', /WHERE needs a BOOLEAN condition, got INT/],
    ['DELETE FROM t WHERE id + 1', /WHERE needs a BOOLEAN condition, got INT/],
    ['INSERT INTO t VALUES (1, 9, TRUE) ON CONFLICT (id) DO UPDATE SET g = excluded.g WHERE t.g', /WHERE needs a BOOLEAN condition, got INT/],
    ['SELECT id FROM t WHERE (SELECT g FROM t WHERE id = 1)', /WHERE needs a BOOLEAN condition, got INT/],
  ])('refuses %s', async (sql, message) => {
    const { session } = await newSession();
    await run(session, ...SETUP);
    await expectError(session, sql, 'TYPE_MISMATCH', message);
    expect(rowsOf(await run(session, 'SELECT id, g FROM t ORDER BY id'))).toEqual([[1, 1], [2, null], [3, 5]]);
  });

  it('shows only the start of a long condition (a correlated subquery planned into a CASE)', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE n (id INT PRIMARY KEY)', `INSERT INTO n VALUES ${Array.from({ length: 60 }, (_, i) => `(${i + 1})`).join(', ')}`);
    const error: unknown = await session.execute('SELECT id FROM n WHERE (SELECT m.id FROM n m WHERE m.id = n.id)').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Type mismatch: WHERE needs a BOOLEAN condition, got INT in '.{200}\.\.\.'$/);
  });

  it.each([
    ['SELECT id FROM t WHERE b ORDER BY id', [[1]]],
    ['SELECT id FROM t WHERE NULL', []],
    ['SELECT id FROM t WHERE b OR NULL ORDER BY id', [[1]]],
    ['SELECT id FROM t WHERE (SELECT b FROM t WHERE id = 1) ORDER BY id', [[1], [2], [3]]],
    ['SELECT t.id FROM t JOIN t u ON u.b AND t.id = u.id', [[1]]],
    ['SELECT g FROM t GROUP BY g HAVING g IS NULL', [[null]]],
  ])('takes %s', async (sql, expected) => {
    const { session } = await newSession();
    await run(session, ...SETUP);
    expect(rowsOf(await run(session, sql))).toEqual(expected);
  });
});

/** Each place a condition stands, with COND where it goes. */
const PLACES = [
  'SELECT id FROM t WHERE COND',
  'SELECT count(*) FROM t GROUP BY id, g, v, s HAVING COND',
  'SELECT t.id FROM t JOIN t u ON COND',
  'SELECT count(*) FILTER (WHERE COND) FROM t',
  'UPDATE t SET g = g WHERE COND',
  'DELETE FROM t WHERE COND',
  'SELECT CASE WHEN COND THEN 1 ELSE 0 END FROM t',
];

describe('random conditions', () => {
  it('refuses every INT, FLOAT or STRING expression as a condition, anywhere, and takes every BOOLEAN one', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, g INT, v FLOAT, s STRING)',
      "INSERT INTO t VALUES (1, 2, 0.5, 'a'), (2, NULL, -1.25, 'ab'), (3, 0, NULL, NULL)");
    const rng = new Random(23);
    for (let trial = 0; trial < 300; trial++) {
      const place = rng.pick(PLACES);
      // Columns qualified where two tables share their names.
      const qualify = (e: string): string => (place.includes('JOIN') ? e.replace(/\b(g|v|s|id)\b/g, 't.$1') : e);
      const wrong = qualify(rng.pick([intChain, floatChain, stringTerm])(rng));
      const error: unknown = await session.execute(place.replace('COND', `(${wrong})`)).then(() => undefined, (e: unknown) => e);
      expect(isChronosError(error, 'TYPE_MISMATCH') && /needs a BOOLEAN condition/.test((error as Error).message), `${place}: ${wrong}: ${String(error)}`).toBe(true);
      const right = qualify(predicateChain(rng, 1));
      const answer: unknown = await session.execute(place.replace('COND', `(${right})`)).then(() => undefined, (e: unknown) => e);
      expect(answer === undefined || !/needs a BOOLEAN condition/.test((answer as Error).message), `${place}: ${right}: ${String(answer)}`).toBe(true);
    }
  });
});
