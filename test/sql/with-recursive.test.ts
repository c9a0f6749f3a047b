import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import { executeRead } from '../../src/sql/execute.js';
import { expectError, newSession, rowsOf } from './support.js';

// Expected answers are PostgreSQL 15's and sqlite3's (they agree on every query here, except
// LIMIT inside the WITH query, which only sqlite3 takes). The random comparisons with both
// (sqlite-queries.ts) draw more of these forms over random data.
describe('WITH RECURSIVE', () => {
  it.each([
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c', [[1], [2], [3], [4], [5]]],
    ['WITH RECURSIVE f(a, b) AS (SELECT 0, 1 UNION ALL SELECT b, a + b FROM f WHERE b < 30) SELECT a FROM f',
      [[0], [1], [1], [2], [3], [5], [8], [13], [21]]],
    // UNION drops a row made before, so a cycle ends.
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x % 3 + 1 FROM c) SELECT x FROM c ORDER BY x', [[1], [2], [3]]],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2) SELECT x FROM c', [[1], [2]]],
    ['WITH RECURSIVE w(n, s) AS (SELECT 1, \'a\' UNION ALL SELECT n + 1, s || \'b\' FROM w WHERE n < 3) SELECT n, s FROM w',
      [[1, 'a'], [2, 'ab'], [3, 'abb']]],
    // Without a column list the first part names the columns.
    ['WITH RECURSIVE c AS (SELECT 10 AS k UNION ALL SELECT k - 4 FROM c WHERE k > 0) SELECT k FROM c', [[10], [6], [2], [-2]]],
    // A first part of only NULLs leaves the column's type to the later rounds.
    ['WITH RECURSIVE c(x, n) AS (SELECT NULL, 0 UNION ALL SELECT n * 2, n + 1 FROM c WHERE n < 3) SELECT x + 1, n FROM c',
      [[null, 0], [1, 1], [3, 2], [5, 3]]],
    // ...and a FLOAT of whole values stays a FLOAT (it was once typed INT from its values).
    ['WITH RECURSIVE c(n, x) AS (SELECT 1, NULL UNION ALL SELECT n + 1, n * 1.0 FROM c WHERE n < 3) SELECT n, x / 2 FROM c',
      [[1, null], [2, 0.5], [3, 1]]],
    // A WITH RECURSIVE inside a subquery sees the WITH queries around it, not a table of the name.
    ['WITH t9 AS (SELECT 5 AS v) SELECT min(n), max(n) FROM (WITH RECURSIVE c(n) AS (SELECT v FROM t9 UNION ALL SELECT n + 1 FROM c WHERE n < 7) SELECT n FROM c) x',
      [[5, 7]]],
    // A subquery in the recursive part is answered again each round (it is not planned once).
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT max(v) FROM t9) / 25) SELECT max(x), count(*) FROM c',
      [[4, 4]]],
    // A query of WITH RECURSIVE that does not name itself is an ordinary one.
    ['WITH RECURSIVE a AS (SELECT 2 AS v), b(x) AS (SELECT v FROM a UNION ALL SELECT x * 2 FROM b WHERE x < 16) SELECT x FROM b',
      [[2], [4], [8], [16]]],
    // sqlite3's LIMIT and OFFSET: how many rows the query makes, and how many of the first it leaves out.
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 4) SELECT x FROM c', [[1], [2], [3], [4]]],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3 OFFSET 2) SELECT x FROM c', [[3], [4], [5]]],
    ['WITH c(a, b) AS (SELECT 1, 2) SELECT b, a FROM c', [[2, 1]]],
    ['WITH c(a) AS (SELECT 1, 2 AS z) SELECT a, z FROM c', [[1, 2]]],
    ['SELECT d.p, q FROM (SELECT 1, 2) AS d(p, q)', [[1, 2]]],
  ] as const)('%s', async (sql, expected) => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t9 (v INT PRIMARY KEY)');
    await session.execute('INSERT INTO t9 VALUES (100)');
    expect(rowsOf(await session.execute(sql))).toEqual(expected);
  });

  it('feeds an INSERT, written before it or inside it, and a subquery in FROM', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE steps (t INT PRIMARY KEY, label STRING)');
    await session.execute("WITH RECURSIVE s(t) AS (SELECT 0 UNION ALL SELECT t + 60 FROM s WHERE t < 180) INSERT INTO steps SELECT t, 'a' FROM s");
    await session.execute("INSERT INTO steps WITH s(t) AS (SELECT 60 UNION ALL SELECT 240) SELECT t, 'b' FROM s ON CONFLICT (t) DO UPDATE SET label = excluded.label");
    expect(rowsOf(await session.execute('SELECT t, label FROM steps ORDER BY t'))).toEqual([[0, 'a'], [60, 'b'], [120, 'a'], [180, 'a'], [240, 'b']]);
    expect(rowsOf(await session.execute("SELECT n FROM (WITH b AS (SELECT t FROM steps WHERE label = 'b') SELECT count(*) AS n FROM b) AS q"))).toEqual([[2]]);
  });

  it('is seen inside expression subqueries, and before UPDATE and DELETE', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE v (id INT PRIMARY KEY, g INT)');
    await session.execute('INSERT INTO v VALUES (1, 1), (2, 1), (3, 2), (4, 3)');
    const twice = 'WITH busy AS (SELECT g FROM v GROUP BY g HAVING count(*) > 1)';
    expect(rowsOf(await session.execute(`${twice} SELECT id FROM v WHERE g IN (SELECT g FROM busy) ORDER BY id`))).toEqual([[1], [2]]);
    expect(rowsOf(await session.execute(`${twice} SELECT id, (SELECT count(*) FROM busy WHERE busy.g < v.g) FROM v ORDER BY id`)))
      .toEqual([[1, 0], [2, 0], [3, 1], [4, 1]]);
    // Unqualified: q is the WITH query's own column, g the outer row's.
    expect(rowsOf(await session.execute('WITH s AS (SELECT 1 AS q) SELECT id FROM v WHERE EXISTS (SELECT 1 FROM s WHERE q = g) ORDER BY id')))
      .toEqual([[1], [2]]);
    await session.execute(`${twice} UPDATE v SET g = g * 10 WHERE g IN (SELECT g FROM busy)`);
    await session.execute('WITH last AS (SELECT max(id) AS id FROM v) DELETE FROM v WHERE id = (SELECT id FROM last)');
    expect(rowsOf(await session.execute('SELECT id, g FROM v ORDER BY id'))).toEqual([[1, 10], [2, 10], [3, 2]]);
  });

  it('walks a hierarchy stored in a table, joined each round', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE dev (id INT PRIMARY KEY, parent INT, name STRING)');
    await session.execute("INSERT INTO dev VALUES (1, NULL, 'farm'), (2, 1, 'barn'), (3, 1, 'field'), (4, 2, 'esp-1'), (5, 3, 'esp-2'), (6, 4, 'probe')");
    const sql = `WITH RECURSIVE under(id, name, depth) AS (
        SELECT id, name, 0 FROM dev WHERE id = 2
        UNION ALL
        SELECT d.id, d.name, u.depth + 1 FROM under AS u JOIN dev AS d ON d.parent = u.id)
      SELECT name, depth FROM under ORDER BY depth, name`;
    expect(rowsOf(await session.execute(sql))).toEqual([['barn', 0], ['esp-1', 1], ['probe', 2]]);
    const path = `WITH RECURSIVE up(id, path) AS (SELECT parent, name FROM dev WHERE id = 6
        UNION ALL SELECT dev.parent, dev.name || '/' || up.path FROM up JOIN dev ON dev.id = up.id)
      SELECT path FROM up WHERE id IS NULL`;
    expect(rowsOf(await session.execute(path))).toEqual([['farm/barn/esp-1/probe']]);
  });

  it.each([
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 ORDER BY 1) SELECT x FROM c', 'UNSUPPORTED', /^Unsupported: ORDER BY in WITH RECURSIVE c/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT count(*) FROM c) SELECT x FROM c', 'UNSUPPORTED', /^Unsupported: aggregate and window functions in the recursive part of WITH RECURSIVE c$/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT a.x + b.x FROM c a JOIN c b ON a.x = b.x) SELECT x FROM c', 'UNSUPPORTED', /naming itself more than once$/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM (SELECT x FROM c) AS d WHERE x < 3) SELECT x FROM c', 'UNSUPPORTED', /naming itself inside a subquery$/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT 2 WHERE EXISTS (SELECT 1 FROM c)) SELECT x FROM c', 'UNSUPPORTED', /naming itself inside a subquery$/],
    ['WITH RECURSIVE c(x) AS (SELECT x FROM c UNION ALL SELECT 1) SELECT x FROM c', 'UNSUPPORTED', /naming itself anywhere but in the part after its last UNION$/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 INTERSECT SELECT x FROM c) SELECT x FROM c', 'UNSUPPORTED', /other than a first part UNION \[ALL\] a part naming c$/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT u.x FROM t9 LEFT JOIN c AS u ON true) SELECT x FROM c', 'UNSUPPORTED', /outer join/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 0.5 FROM c WHERE x < 3) SELECT x FROM c', 'TYPE_MISMATCH', /^column x of WITH RECURSIVE c is INT in its first part and FLOAT in the part after UNION/],
    ['WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x, x FROM c WHERE x < 3) SELECT x FROM c', 'INVALID_ARGUMENT', /must have the same number of columns \(1 and 2\)$/],
    ['WITH c(a, b) AS (SELECT 1) SELECT a FROM c', 'INVALID_ARGUMENT', /^the subquery c has 1 columns, but 2 names were given for them$/],
    ['SELECT a FROM (SELECT 1, 2) AS d(a, a)', 'INVALID_ARGUMENT', /^column name a given twice for the subquery d$/],
  ] as const)('refuses %s', async (sql, code, message) => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t9 (id INT PRIMARY KEY)');
    await expectError(session, sql, code, message);
  });

  it('ends one that never stops at the statement row cap, and runs 20,000 rounds of one that stops', async () => {
    const { session, engine } = await newSession();
    const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c LIMIT 3';
    const reader = await engine.reader();
    try {
      const error: unknown = await executeRead(endless, reader, 0, { timeoutMs: Infinity, maxMaterializedRows: 1000 })
        .catch((e: unknown) => e);
      expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/^WITH RECURSIVE c holds more than 1000 rows/);
    } finally {
      await reader.close();
    }
    await expect(session.execute('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT count(*), max(x) FROM c'))
      .resolves.toMatchObject({ rows: [[20000, 20000]] });
  });
});
