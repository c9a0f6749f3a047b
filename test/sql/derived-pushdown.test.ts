import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { newSession, rowsOf, run } from './support.js';

/**
 * A FROM subquery gets the outer WHERE's leading conjuncts on its plain columns: it holds only
 * the rows they keep, and computes its select list for those alone, as PostgreSQL does. The
 * generator draws subqueries (renamed columns, `*`, expressions that fail on some rows, inner
 * WHERE, shapes that must not be filtered first: LIMIT, DISTINCT, GROUP BY) and outer WHEREs
 * mixing AND, OR and NOT without parentheses; each query is checked against the same query
 * with the subquery read through another one with `OFFSET 0`, which keeps every conjunct outside.
 */
type Session = Awaited<ReturnType<typeof newSession>>['session'];

async function fixture(): Promise<Session> {
  const { session } = await newSession();
  await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, n INT, s TEXT, f FLOAT)',
    "INSERT INTO t VALUES (1, 0, 'ab', 1.5), (2, 5, 'b', NULL), (3, NULL, 'ac', -2), (4, 2, NULL, 0), (5, 0, 'a', 4), (6, 1, 'bb', 2)");
  return session;
}

async function answer(session: Session, sql: string): Promise<string> {
  return session.execute(sql).then(
    (result) => JSON.stringify([...rowsOf(result)].map((row) => JSON.stringify(row)).sort()),
    (error: Error) => `error: ${error.message}`);
}

const INNER_ITEMS = ['id', 'n', 's', 'f', 'id AS k', 'n + 1 AS m', '10 / n AS x', 'upper(s) AS u', 't.id AS tid'];
/** Conjuncts by the columns they need (every inner shape below has id, n and s under those names). */
const CONDITIONS = [
  'id = 2', 'id > 2', 'd.id <= 4', 'n = 0', 'n IS NULL', 'n IN (0, 1)', "s LIKE 'a%'", 'coalesce(n, 0) > 0',
  'id BETWEEN 2 AND 5', 'NOT n > 1', 'id = 3 OR n = 0', 'id = 1 OR id = 2 AND n = 5', 's IS NOT NULL',
  'x > 1', 'k < 4', 'm = 1', 'c = 2', 'r < 3', 'id = (SELECT max(id) FROM t)', 'count_of_rows > 0',
];

function innerQuery(rng: Random): string {
  const extra = INNER_ITEMS.filter((item) => !['id', 'n', 's'].includes(item) && rng.chance(0.4));
  const items = rng.chance(0.2) ? ['*', ...extra.filter((e) => e.includes(' AS '))] : ['id', 'n', 's', ...extra];
  const where = rng.pick(['', ' WHERE id <> 6', ' WHERE n IS NOT NULL OR id = 3', " WHERE s <> 'zz'"]);
  const tail = rng.pick(['', '', '', ' ORDER BY id', ' LIMIT 4', ' OFFSET 1']);
  if (rng.chance(0.2)) {
    return rng.pick(['SELECT DISTINCT n, s, id FROM t', 'SELECT DISTINCT ON (n) n, id, s FROM t ORDER BY n, id DESC',
      'SELECT n, count(*) AS c, min(id) AS id, max(s) AS s FROM t GROUP BY n',
      'SELECT id, n, s, row_number() OVER (ORDER BY id DESC) AS r FROM t']);
  }
  return `SELECT ${items.join(', ')} FROM t${where}${tail}`;
}

function outerWhere(rng: Random): string {
  const count = rng.between(1, 3);
  return Array.from({ length: count }, () => rng.pick(CONDITIONS)).join(rng.pick([' AND ', ' AND ', ' OR ']));
}

describe('outer WHERE conjuncts pushed into a FROM subquery', () => {
  it('answers where the subquery select list fails on rows the WHERE drops, as PostgreSQL does', async () => {
    const session = await fixture();
    expect(rowsOf(await run(session, 'SELECT * FROM (SELECT id, 10 / n AS x FROM t) d WHERE id = 2'))).toEqual([[2, 2]]);
    expect(rowsOf(await run(session, 'WITH d AS (SELECT id, 10 / n AS x FROM t) SELECT x FROM d WHERE d.id = 6 AND x > 0'))).toEqual([[10]]);
    expect(rowsOf(await run(session, 'SELECT a, b FROM (SELECT id, 10 / n FROM t) AS d(a, b) WHERE a IN (2, 4)'))).toEqual([[2, 2], [4, 5]]);
    // Not past a conjunct that stays outside, nor into a LIMIT: the error stands.
    await expect(run(session, 'SELECT * FROM (SELECT id, 10 / n AS x FROM t) d WHERE x > 0 AND id = 2')).rejects.toThrow(/division by zero/i);
    await expect(run(session, 'SELECT * FROM (SELECT id, 10 / n AS x FROM t LIMIT 6) d WHERE id = 2')).rejects.toThrow(/division by zero/i);
  });

  it('reads only the key range the pushed terms name', async () => {
    const session = await fixture();
    await run(session, 'CREATE TABLE readings (device_id TEXT, ts INT, temp FLOAT, PRIMARY KEY (device_id, ts))');
    const plan = rowsOf(await run(session, "EXPLAIN SELECT * FROM (SELECT * FROM readings) r WHERE device_id = 'esp-042'")).flat();
    expect(plan.slice(3)).toEqual(["    Filter device_id = 'esp-042'", '      PK RANGE readings >=(esp-042) <=(esp-042)']);
  });

  it.each([1, 2, 3, 4, 5, 6])('answers as the fenced query wherever that one answers (seed %i)', async (seed) => {
    const rng = new Random(seed);
    const session = await fixture();
    let compared = 0;
    for (let i = 0; i < 60; i++) {
      const inner = innerQuery(rng);
      const renamed = rng.chance(0.15) && !inner.includes('*') ? ' AS d(id, n, s)' : ' d';
      const where = outerWhere(rng);
      const outer = rng.pick(['*', 'count(*) AS count_of_rows', 'id, s']);
      const sql = (query: string): string => `SELECT ${outer} FROM (${query})${renamed} WHERE ${where}`;
      const fenced = await answer(session, sql(`SELECT * FROM (${inner}) fence OFFSET 0`));
      if (fenced.startsWith('error:')) continue;
      expect(await answer(session, sql(inner)), sql(inner)).toBe(fenced);
      compared++;
    }
    expect(compared).toBeGreaterThan(15);
  });
});
