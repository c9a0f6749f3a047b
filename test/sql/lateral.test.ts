import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';

// PostgreSQL 15's answers (sqlite3 has no LATERAL); postgres-compare.test.ts draws more forms
// over random data.
async function fixture() {
  const { session } = await newSession();
  for (const sql of [
    'CREATE TABLE dev (id INT PRIMARY KEY, name STRING, zone INT)',
    'CREATE TABLE r (dev INT, ts INT, v FLOAT, PRIMARY KEY (dev, ts))',
    "INSERT INTO dev VALUES (1, 'a', 1), (2, 'b', NULL), (3, 'c', 2)",
    'INSERT INTO r VALUES (1, 10, 1.5), (1, 20, 2.5), (1, 30, 3.5), (2, 10, 4.0), (2, 40, 5.0)',
  ]) await session.execute(sql);
  return session;
}

describe('LATERAL subqueries', () => {
  it.each([
    // The last two readings of every device: a LIMIT per outer row, which a join cannot say.
    ['SELECT d.name, l.ts, l.v FROM dev d CROSS JOIN LATERAL (SELECT ts, v FROM r WHERE r.dev = d.id ORDER BY ts DESC LIMIT 2) l ORDER BY 1, 2',
      [['a', 20, 2.5], ['a', 30, 3.5], ['b', 10, 4], ['b', 40, 5]]],
    ['SELECT d.name, l.ts FROM dev d LEFT JOIN LATERAL (SELECT ts FROM r WHERE r.dev = d.id ORDER BY ts DESC LIMIT 1) l ON true ORDER BY 1',
      [['a', 30], ['b', 40], ['c', null]]],
    ['SELECT * FROM dev d, LATERAL (SELECT count(*) AS n, max(v) AS m FROM r WHERE dev = d.id) c ORDER BY id',
      [[1, 'a', 1, 3, 3.5], [2, 'b', null, 2, 5], [3, 'c', 2, 0, null]]],
    ['SELECT d.id, x.* FROM dev d JOIN LATERAL (SELECT d.id * 10 AS t) x ON x.t > 10 ORDER BY 1', [[2, 20], [3, 30]]],
    // A NULL outer value is answered too, and its rows join the outer rows holding NULL.
    ['SELECT d.id, c.n FROM dev d, LATERAL (SELECT count(*) AS n FROM r WHERE d.zone IS NULL) c ORDER BY 1', [[1, 0], [2, 5], [3, 0]]],
    // Through a derived table before it, and renamed columns.
    ['SELECT z.k, l.a FROM (SELECT id AS k FROM dev WHERE id < 3) z CROSS JOIN LATERAL (SELECT max(ts) FROM r WHERE dev = z.k) AS l (a) ORDER BY 1',
      [[1, 30], [2, 40]]],
    // Unqualified outer columns, as PostgreSQL reads them (they once found no value to bind).
    ["SELECT d.id, l.s FROM dev d, LATERAL (SELECT name || '!' AS s) l ORDER BY 1", [[1, 'a!'], [2, 'b!'], [3, 'c!']]],
    ['SELECT d.id, l.m FROM dev d, LATERAL (SELECT max(ts) AS m FROM r WHERE r.dev = id) l ORDER BY 1', [[1, 30], [2, 40], [3, null]]],
    // Its held outer values are neither a NATURAL join's shared names nor a column the subquery names.
    ['SELECT d.id, l.a, m.b FROM dev d CROSS JOIN LATERAL (SELECT d.id * 10 AS a) l NATURAL JOIN LATERAL (SELECT d.name AS b) m ORDER BY 1',
      [[1, 10, 'a'], [2, 20, 'b'], [3, 30, 'c']]],
    ['SELECT count(*) FROM dev d, LATERAL (SELECT d.id * 100 AS "lateral key 1") l', [[3]]],
    // An outer column USING merged is the merged value, though the subquery's output has its name.
    ['SELECT d.id, l.id FROM dev d JOIN r ON r.dev = d.id AND r.ts = 10 JOIN LATERAL (SELECT id + 1 AS id) l ON true ORDER BY 1', [[1, 2], [2, 3]]],
    ['SELECT x.id, l.id FROM dev x FULL JOIN (SELECT 9 AS id) n USING (id) JOIN LATERAL (SELECT id * 2 AS id) l ON true ORDER BY 1', [[1, 2], [2, 4], [3, 6], [null, 18]]],
    // Naming nothing before it, it is an ordinary derived table.
    ['SELECT count(*) FROM dev, LATERAL (SELECT 1 AS one) o', [[3]]],
  ] as const)('%s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  it.each([
    ['SELECT * FROM dev d FULL JOIN LATERAL (SELECT ts FROM r WHERE r.dev = d.id) x ON true', 'UNSUPPORTED', /^Unsupported: FULL JOIN LATERAL/],
    ['SELECT * FROM dev d JOIN LATERAL (SELECT id FROM r WHERE r.dev = d.id) x USING (id)', 'UNSUPPORTED', /^Unsupported: JOIN LATERAL \.\.\. USING/],
    ['SELECT * FROM dev d, LATERAL (SELECT ts FROM r WHERE dev = d.id UNION SELECT 1) x', 'UNSUPPORTED', /^Unsupported: LATERAL of a set operation/],
    ['SELECT * FROM dev d, LATERAL generate_series(1, d.id) g', 'UNSUPPORTED', /^Unsupported: LATERAL before anything but a subquery/],
    // Answered per distinct outer value, as a correlated subquery: at most 10,000 of them.
    ['SELECT count(*) FROM generate_series(1, 10001) g(x), LATERAL (SELECT g.x + 1 AS y) l', 'LIMIT_EXCEEDED', /10001 distinct outer values \(at most 10000\)/],
  ] as const)('refuses %s', async (sql, code, message) => {
    await expectError(await fixture(), sql, code, message);
  });

  it('keeps the outer values it joins on out of * and t.*', async () => {
    const session = await fixture();
    await session.execute('CREATE TABLE z (zone INT, label STRING)');
    await session.execute("INSERT INTO z VALUES (1, 'north'), (5, 'far')");
    const star = await session.execute('SELECT * FROM dev d CROSS JOIN LATERAL (SELECT max(ts) AS m FROM r WHERE r.dev = d.id) l FULL JOIN z USING (zone) ORDER BY 1');
    expect(star).toMatchObject({ columns: ['id', 'name', 'zone', 'm', 'label'],
      rows: [[1, 'a', 1, 30, 'north'], [2, 'b', null, 40, null], [3, 'c', 2, null, null], [null, null, 5, null, 'far']] });
    const result = await session.execute('SELECT l.* FROM dev d CROSS JOIN LATERAL (SELECT d.name || \'!\' AS shout) l ORDER BY 1');
    expect(result).toMatchObject({ columns: ['shout'], rows: [['a!'], ['b!'], ['c!']] });
  });
});

describe('EXPLAIN of LATERAL', () => {
  it('joins the held rows on the outer values, and shows the subquery as written', async () => {
    const session = await fixture();
    const sql = 'EXPLAIN SELECT d.name, l.m FROM dev d CROSS JOIN LATERAL (SELECT max(ts) AS m FROM r WHERE r.dev = d.id) l';
    expect(rowsOf(await session.execute(sql)).map((row) => row[0])).toEqual([
      'Hash join l (lateral) ON d.id is not distinct from l.lateral key 1', '  FULL SCAN dev', '  FULL SCAN l (lateral) (held in memory)',
      '  Derived table l: LATERAL subquery, answered per value of the columns before it that it names',
      '    Aggregate: max(ts)', '      Filter r.dev = d.id', '        FULL SCAN r']);
  });
});

describe('IS NOT DISTINCT FROM in ON', () => {
  it('hashes the join and matches NULL with NULL', async () => {
    const session = await fixture();
    await session.execute('CREATE TABLE z (zone INT, label STRING)');
    await session.execute("INSERT INTO z VALUES (1, 'north'), (NULL, 'nowhere'), (3, 'south')");
    const sql = 'SELECT d.id, z.label FROM dev d JOIN z ON d.zone IS NOT DISTINCT FROM z.zone ORDER BY 1';
    expect(rowsOf(await session.execute(sql))).toEqual([[1, 'north'], [2, 'nowhere']]);
    const plan = rowsOf(await session.execute(`EXPLAIN ${sql}`)).map((row) => String(row[0])).join('\n');
    expect(plan).toContain('Hash join z ON d.zone is not distinct from z.zone');
  });
});
