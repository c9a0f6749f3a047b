import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';

async function fixture() {
  const { session } = await newSession();
  await session.execute('CREATE TABLE t (id INT PRIMARY KEY, g INT)');
  await session.execute('INSERT INTO t VALUES (1, 10), (2, 20), (3, NULL), (4, 40)');
  await session.execute('CREATE TABLE u (g INT, tag STRING)');
  await session.execute("INSERT INTO u VALUES (10, 'a'), (40, 'b'), (NULL, 'c')");
  return session;
}

describe('aggregates of outer columns inside a subquery', () => {
  // SQL gives such an aggregate to the outer query, which then aggregates its own rows.
  it.each([
    ["SELECT (SELECT max(t.id) FROM u WHERE tag = 'a') FROM t", [[4]]],
    ["SELECT (SELECT sum(t.g) FROM u WHERE tag = 'z') FROM t", [[null]]],
    ["SELECT (SELECT count(t.g) FROM u WHERE tag = 'b'), count(*) FROM t WHERE id > 1", [[2, 3]]],
    // count(t.id) is the outer query's, per group; count(u.g) the subquery's own.
    ['SELECT g IS NULL, (SELECT count(t.id) + count(u.g) FROM u) FROM t GROUP BY g IS NULL ORDER BY 1', [[false, 5], [true, 3]]],
    ["SELECT g FROM t GROUP BY g HAVING (SELECT max(t.id) FROM u WHERE tag = 'a') > 2 ORDER BY g", [[40], [null]]],
    // Two subqueries down, max(t.g) is still the outermost query's aggregate (40).
    ['SELECT (SELECT count(*) FROM u WHERE u.g IN (SELECT max(t.g) FROM u u2)) FROM t', [[1]]],
  ] as const)('are computed over the outer rows: %s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  it('leave the subquery a plain query, which may answer more than one row', async () => {
    // PostgreSQL: the subquery is SELECT <outer value> FROM u, three rows.
    await expectError(await fixture(), 'SELECT (SELECT max(t.id) FROM u) FROM t', 'INVALID_ARGUMENT',
      /Scalar subquery returned 3 rows/);
  });

  it.each([
    ['SELECT id FROM t WHERE g < (SELECT sum(t.g) FROM u)', /Aggregate sum\(g\) is not allowed in WHERE/],
    ["SELECT (SELECT max(t.id) FROM u WHERE tag = 'a') FROM t GROUP BY 1", /Aggregate max\(id\) is not allowed in GROUP BY/],
    ["UPDATE t SET g = (SELECT max(t.id) FROM u WHERE tag = 'a')", /Aggregate max\(id\) is not allowed in UPDATE/],
    ["DELETE FROM t WHERE g < (SELECT max(t.id) FROM u WHERE tag = 'a')", /Aggregate max\(id\) is not allowed in WHERE/],
  ] as const)('are refused where the outer query may not aggregate: %s', async (sql, message) => {
    await expectError(await fixture(), sql, 'INVALID_ARGUMENT', message);
  });

  it('still answers aggregates that mix inner and outer columns', async () => {
    const session = await fixture();
    expect(rowsOf(await session.execute('SELECT id, (SELECT count(u.g) FROM u WHERE u.g < t.g) FROM t ORDER BY id')))
      .toEqual([[1, 0], [2, 1], [3, 0], [4, 1]]);
  });

  it('EXPLAIN shows a subquery sort key as the subquery', async () => {
    const session = await fixture();
    const plan = rowsOf(await session.execute('EXPLAIN SELECT id FROM t ORDER BY (SELECT count(*) - 1 FROM u), id'));
    expect(plan[0]).toEqual(['Sort by (select ...), id']);
  });

  it('EXPLAIN shows a subquery group key as the subquery, not as position 2', async () => {
    const session = await fixture();
    const plan = rowsOf(await session.execute('EXPLAIN SELECT count(*) FROM t GROUP BY (SELECT count(*) - 1 FROM u)'));
    expect(plan[0]).toEqual(['Aggregate by (select ...): count(*)']);
  });

  it('EXPLAIN shows a subquery answered per value of the outer aggregate it holds', async () => {
    const session = await fixture();
    const plan = rowsOf(await session.execute("EXPLAIN SELECT (SELECT max(t.id) FROM u WHERE tag = 'a') FROM t"));
    expect(plan.map((r) => r[0])).toEqual(['Aggregate: max(t.id)', '  FULL SCAN t',
      "  Subquery 1 (scalar), answered per value of the outer query's max(t.id)", "    Filter tag = 'a'", '      FULL SCAN u']);
  });
});

describe('EXPLAIN of correlated subqueries', () => {
  it('says a correlated subquery is answered per value of the outer columns it reads', async () => {
    const session = await fixture();
    const plan = rowsOf(await session.execute('EXPLAIN SELECT id, (SELECT count(*) FROM u WHERE u.g = t.g) FROM t'));
    expect(plan.map((r) => r[0])).toEqual(['FULL SCAN t',
      "  Subquery 1 (scalar), answered per value of the outer query's t.g", '    Aggregate: count(*)',
      '      Filter u.g = t.g', '        FULL SCAN u']);
  });

  it('shows an outer aggregate two subqueries down as the outer value it is', async () => {
    const session = await fixture();
    const plan = rowsOf(await session.execute('EXPLAIN SELECT (SELECT count(*) FROM u WHERE u.g IN (SELECT max(t.g) FROM u u2)) FROM t'));
    expect(plan.map((r) => r[0])).toContain("      Subquery 1 (in), answered per value of the outer query's max(t.g)");
  });

  it('shows a subquery reading a column two queries out, as it runs', async () => {
    const session = await fixture();
    const sql = 'SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tag <> \'c\' AND EXISTS (SELECT 1 FROM u u2 WHERE u2.g = t.g))';
    expect(rowsOf(await session.execute(`${sql} ORDER BY id`))).toEqual([[1], [4]]);
    const plan = rowsOf(await session.execute(`EXPLAIN ${sql}`)).map((r) => r[0]);
    expect(plan).toContain("  Subquery 1 (exists), answered per value of the outer query's t.g");
    expect(plan).toContain("      Subquery 1 (exists), answered per value of the outer query's t.g");
    expect(plan).toContain('        Filter u2.g = t.g');
  });
});

describe('uncorrelated subqueries', () => {
  it.each([
    ['SELECT id FROM t WHERE g IN (SELECT g FROM u) ORDER BY id', [[1], [4]]],
    // NOT IN over a set holding NULL is never true (standard SQL, PostgreSQL, sqlite3).
    ['SELECT id FROM t WHERE g NOT IN (SELECT g FROM u)', []],
    ["SELECT id FROM t WHERE g NOT IN (SELECT g FROM u WHERE tag <> 'c') ORDER BY id", [[2]]],
    // Over an empty set IN is false and NOT IN true, even for a NULL operand.
    ["SELECT id FROM t WHERE g NOT IN (SELECT g FROM u WHERE tag = 'z') ORDER BY id", [[1], [2], [3], [4]]],
    ["SELECT count(*) FROM t WHERE g IN (SELECT g FROM u WHERE tag = 'z')", [[0]]],
    ["SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE tag = 'b') AND id < 3 ORDER BY id", [[1], [2]]],
    ["SELECT id FROM t WHERE NOT EXISTS (SELECT * FROM u WHERE tag = 'b')", []],
    ['SELECT id, (SELECT max(g) FROM u) FROM t WHERE id = 1', [[1, 40]]],
    ['SELECT id FROM t WHERE g > (SELECT avg(g) FROM t) ORDER BY id', [[4]]],
    ["SELECT (SELECT g FROM u WHERE tag = 'z')", [[null]]],
    ["SELECT id FROM t WHERE g IN (SELECT g FROM u WHERE g IN (SELECT g FROM t WHERE id > 3))", [[4]]],
    // A subquery answering 2 is a constant to sort or group by, not the select list's column 2.
    ['SELECT id, g FROM t ORDER BY (SELECT count(*) - 1 FROM u) DESC, id DESC', [[4, 40], [3, null], [2, 20], [1, 10]]],
    ['SELECT count(*) FROM t GROUP BY (SELECT count(*) - 1 FROM u)', [[4]]],
    // The aggregate beside an empty IN keeps the query an aggregate (one row).
    ["SELECT count(*) IN (SELECT g FROM u WHERE tag = 'z'), count(*) NOT IN (SELECT g FROM u WHERE tag = 'z') FROM t", [[false, true]]],
  ] as const)('%s', async (sql, expected) => {
    const session = await fixture();
    expect(rowsOf(await session.execute(sql))).toEqual(expected);
  });

  it('answers subqueries inside writes over the transaction\'s own state', async () => {
    const session = await fixture();
    await session.execute('BEGIN');
    await session.execute("DELETE FROM u WHERE tag = 'a'");
    await session.execute('UPDATE t SET g = 0 WHERE g IN (SELECT g FROM u)');
    await session.execute('INSERT INTO t VALUES ((SELECT count(*) FROM u) + 10, (SELECT max(id) FROM t))');
    await session.execute('DELETE FROM t WHERE id = (SELECT min(id) FROM t)');
    await session.execute('COMMIT');
    expect(rowsOf(await session.execute('SELECT id, g FROM t ORDER BY id'))).toEqual([[2, 20], [3, null], [4, 0], [12, 4]]);
  });

  it('answers correlated subqueries per outer row: EXISTS, IN, scalar, nested, in UPDATE and DELETE', async () => {
    const session = await fixture();
    const ids = async (sql: string): Promise<unknown[]> => rowsOf(await session.execute(sql)).map((row) => row[0]);
    expect(await ids('SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.g = t.g) ORDER BY id')).toEqual([1, 4]);
    expect(await ids('SELECT id FROM t o WHERE NOT EXISTS (SELECT 1 FROM u WHERE g = o.g) ORDER BY id')).toEqual([2, 3]);
    expect(rowsOf(await session.execute('SELECT id, (SELECT count(*) FROM u WHERE u.g <= t.g) FROM t ORDER BY id')))
      .toEqual([[1, 1], [2, 1], [3, 0], [4, 2]]);
    expect(await ids('SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.g = t.g AND tag > ' +
      '(SELECT min(tag) FROM u u2 WHERE u2.g < t.g)) ORDER BY id')).toEqual([4]);
    await session.execute('UPDATE t SET g = (SELECT max(g) FROM u WHERE u.g < t.g) WHERE t.g IS NOT NULL');
    await session.execute('DELETE FROM t WHERE g NOT IN (SELECT g FROM u WHERE u.g = t.g)');
    expect(rowsOf(await session.execute('SELECT id, g FROM t ORDER BY id'))).toEqual([[2, 10], [4, 10]]);
  });

  it.each([
    ['SELECT (SELECT g FROM u)', 'INVALID_ARGUMENT', 'Scalar subquery returned 3 rows (at most 1 allowed)'],
    ['SELECT id FROM t WHERE g IN (SELECT g, tag FROM u)', 'INVALID_ARGUMENT', 'Subquery must return one column, got 2'],
    ['SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.g = nowhere.g)', 'UNKNOWN_TABLE', /^Unknown table nowhere in column reference nowhere\.g \(in a subquery\)$/],
    ['SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE g = nothing)', 'UNKNOWN_COLUMN', /Unknown column nothing .*\(in a subquery\)/],
  ] as const)('%s', async (sql, code, message) => {
    await expectError(await fixture(), sql, code, message);
  });
});

describe('a scalar subquery of several rows', () => {
  // (SELECT g FROM u) answers 3 rows: an error where its value is needed (as PostgreSQL), not before.
  it.each([
    ['SELECT id, coalesce(g, (SELECT g FROM u)) FROM t WHERE id <> 3 ORDER BY id', [[1, 10], [2, 20], [4, 40]]],
    ['SELECT coalesce(1, (SELECT g FROM u))', [[1]]],
    ['SELECT id, CASE WHEN id < 3 THEN 0 ELSE (SELECT g FROM u) END FROM t WHERE id < 3 ORDER BY id', [[1, 0], [2, 0]]],
    ["SELECT id, CASE g WHEN 10 THEN 'x' WHEN (SELECT g FROM u) THEN 'y' END FROM t WHERE id = 1", [[1, 'x']]],
    ['SELECT id FROM t WHERE id > 0 OR (SELECT g FROM u) > 0 ORDER BY id', [[1], [2], [3], [4]]],
    ['SELECT id FROM t WHERE id < 0 AND (SELECT g FROM u) > 0', []],
    // No row reaches the comparison: nothing needs the value.
    ['SELECT id FROM t WHERE id > 10 AND g = (SELECT g FROM u)', []],
    // Correlated: for g = 10 the subquery answers NULL and 40, which coalesce never needs.
    ['SELECT id, coalesce(t.g, (SELECT u.g FROM u WHERE u.g IS NULL OR u.g <> t.g)) FROM t ORDER BY id',
      [[1, 10], [2, 20], [3, null], [4, 40]]],
  ] as const)('is no error where its value is not needed: %s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  it('is no error in writes that do not need it', async () => {
    const session = await fixture();
    await session.execute('UPDATE t SET g = coalesce(g, (SELECT g FROM u)) + 1 WHERE id = 1');
    await session.execute('INSERT INTO t VALUES (5, coalesce(7, (SELECT g FROM u)))');
    expect(rowsOf(await session.execute('SELECT id, g FROM t WHERE id IN (1, 5) ORDER BY id'))).toEqual([[1, 11], [5, 7]]);
  });

  it.each([
    'SELECT coalesce(g, (SELECT g FROM u)) FROM t',
    'SELECT id FROM t WHERE id = (SELECT g FROM u)',
    'SELECT id FROM t WHERE id > 3 OR (SELECT g FROM u) > 0',
    'SELECT nullif(g, (SELECT g FROM u)) FROM t',
    'UPDATE t SET g = coalesce(g, (SELECT g FROM u))',
  ])('is an error where its value is needed: %s', async (sql) => {
    await expectError(await fixture(), sql, 'INVALID_ARGUMENT', 'Scalar subquery returned 3 rows (at most 1 allowed)');
  });

  it('shows in EXPLAIN as the subquery', async () => {
    const plan = rowsOf(await (await fixture()).execute('EXPLAIN SELECT id FROM t WHERE id > 0 OR (SELECT g FROM u) > 0'));
    expect(plan[0]).toEqual(['Filter id > 0 or (select ...) > 0']);
  });

  it('leaves EXPLAIN of a query that needs it only over no rows answering', async () => {
    // EXPLAIN checks the query over empty tables, where max(id) is NULL: no row of t would be.
    const session = await fixture();
    const sql = 'SELECT count(*), coalesce(max(id), (SELECT g FROM u)) FROM t';
    expect(rowsOf(await session.execute(sql))).toEqual([[4, 4]]);
    expect(rowsOf(await session.execute(`EXPLAIN ${sql}`)).length).toBeGreaterThan(0);
  });
});

describe('correlated subqueries in JOIN ... ON', () => {
  it('answer on an empty table (they once looped until the process ran out of memory)', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE e (id INT PRIMARY KEY)');
    await session.execute('CREATE TABLE u (g INT, tag STRING)');
    await session.execute("INSERT INTO u VALUES (10, 'a')");
    expect(rowsOf(await session.execute('SELECT e.id FROM e JOIN u ON (SELECT u.g) > 0'))).toEqual([]);
  });

  it.each([
    // t.g: 10, 20, NULL, 40; u.g: 10, 40, NULL.
    ['SELECT t.id, u.tag FROM t JOIN u ON u.g = (SELECT max(g) FROM t t2 WHERE t2.id <= t.id) ORDER BY 1',
      [[1, 'a'], [4, 'b']]],
    // Row 3's value is 0 (no match): kept once, u's side NULL.
    ['SELECT t.id, u.tag FROM t LEFT JOIN u ON u.g = (SELECT max(g) FROM t t2 WHERE t2.id <= t.id) - 10 * (t.id - 1) ORDER BY 1',
      [[1, 'a'], [2, 'a'], [3, null], [4, 'a']]],
    // u's rows without a match come back with t's side NULL, and the select list's subquery sees that NULL.
    ['SELECT u.tag, t.id, (SELECT count(*) FROM t t3 WHERE t3.id > t.id) FROM t RIGHT JOIN u ON EXISTS (SELECT 1 FROM t t2 WHERE t2.id = t.id AND t2.g = u.g) ORDER BY 1',
      [['a', 1, 3], ['b', 4, 0], ['c', null, 0]]],
    ['SELECT t.id, u.tag FROM t FULL JOIN u ON u.g IN (SELECT g FROM t t2 WHERE t2.id = t.id AND t.id > 1) ORDER BY 1, 2',
      [[1, null], [2, null], [3, null], [4, 'b'], [null, 'a'], [null, 'c']]],
  ] as const)('match on the joined rows: %s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  it('are refused beside LATERAL, whose rows depend on the tables before it', async () => {
    await expectError(await fixture(),
      'SELECT t.id FROM t JOIN LATERAL (SELECT u.g FROM u WHERE u.g = t.g) AS l ON (SELECT l.g) > 0',
      'UNSUPPORTED', /JOIN \.\.\. ON beside LATERAL l/);
  });
});

describe('an aliased table is known by its alias alone', () => {
  const setup = async (): Promise<Awaited<ReturnType<typeof newSession>>['session']> => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, a INT, g INT)');
    await session.execute('INSERT INTO t VALUES (1, 5, 1), (2, NULL, 1), (3, -2, 2), (4, 0, 2)');
    return session;
  };

  // PostgreSQL and sqlite3 refuse these; `t` used to pick a side of the self-join silently.
  it.each([
    'SELECT x.id, y.id FROM t x JOIN t y ON x.id = y.id WHERE t.id = 2',
    'SELECT x.id FROM t x WHERE t.a > 0',
    'SELECT x.id FROM t x ORDER BY t.id',
  ])('refuses the table\'s own name in %s', async (sql) => {
    await expectError(await setup(), sql, 'UNKNOWN_TABLE', /the table t is named x in this query; use x\./);
  });

  it('still reads an outer query\'s table by its name inside a subquery that aliases its own copy', async () => {
    const session = await setup();
    expect(rowsOf(await session.execute('SELECT id FROM t WHERE a = (SELECT max(a) FROM t t2 WHERE t2.g = t.g) ORDER BY id'))).toEqual([[1], [4]]);
  });
});
