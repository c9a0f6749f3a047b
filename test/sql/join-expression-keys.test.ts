import { describe, expect, it } from 'vitest';
import { newSession, rowsOf, run } from './support.js';

/**
 * An ON equality whose joined-table side is an expression (`a.id = b.id + 1`) hashes the joined
 * table on that expression: a 20,000 x 20,000 self-join by `id + 1` had tried 400 million pairs
 * and outlasted the statement's deadline. A row whose key raises an error is tried with every
 * left row, so the error comes when, and only when, a nested loop would raise it.
 */
describe('joins hashed on an expression of the joined table', () => {
  it('EXPLAIN shows a hash join for `a.id = b.id + 1`, and for `b.id * 2 = a.id`', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    for (const on of ['a.id = b.id + 1', 'b.id * 2 = a.id', 'a.id + 1 = abs(b.v)']) {
      const plan = [...rowsOf(await session.execute(`EXPLAIN SELECT count(*) FROM t a JOIN t b ON ${on}`))].flat().join('\n');
      expect(plan, on).toMatch(/hash/i);
    }
    const mixed = [...rowsOf(await session.execute('EXPLAIN SELECT count(*) FROM t a JOIN t b ON a.id - b.id = 1'))].flat().join('\n');
    expect(mixed).not.toMatch(/hash/i);
  });

  it('joins 20,000 rows to 20,000 by id + 1 (a nested loop would try 400 million pairs)', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, v INT)',
      'INSERT INTO t SELECT g, g % 7 FROM generate_series(1, 20000) g');
    const result = await session.execute('SELECT count(*), sum(a.v - b.v) FROM t a JOIN t b ON a.id = b.id + 1');
    expect([...rowsOf(result)]).toEqual([[19_999, expect.anything()]]);
  });

  it('raises a key\'s error only when some left row meets that row, as a nested loop does', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE a (id INT PRIMARY KEY)', 'CREATE TABLE b (id INT PRIMARY KEY, d INT)',
      'INSERT INTO b VALUES (1, 1), (2, 0), (3, 2)');
    const sql = 'SELECT a.id, b.id FROM a JOIN b ON a.id = 6 / b.d ORDER BY 1, 2';
    expect([...rowsOf(await session.execute(sql))]).toEqual([]);
    await run(session, 'INSERT INTO a VALUES (3), (6)');
    await expect(session.execute(sql)).rejects.toThrow(/Division by zero/);
    expect([...rowsOf(await session.execute('SELECT a.id, b.id FROM a LEFT JOIN b ON b.d > 0 AND a.id = 6 / b.d ORDER BY 1, 2'))])
      .toEqual([[3, 3], [6, 1]]);
  });

  it('computes no key of a left row an AND guard before it rules out (PostgreSQL answers, so must we)', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, b INT, p BOOLEAN, a INT)', 'CREATE TABLE u (id INT PRIMARY KEY, x INT)',
      'INSERT INTO t VALUES (1, 2, TRUE, 1), (2, 0, FALSE, 9223372036854775807)', 'INSERT INTO u VALUES (1, 3), (2, 2)');
    expect([...rowsOf(await session.execute('SELECT t.id, u.id FROM t JOIN u ON t.b <> 0 AND u.x = 6 / t.b'))]).toEqual([[1, 1]]);
    expect([...rowsOf(await session.execute('SELECT t.id, u.id FROM t JOIN u ON t.p AND t.a + 1 = u.x'))]).toEqual([[1, 2]]);
    // Without the guard first, the key's error is the condition's, as in a nested loop.
    await expect(session.execute('SELECT t.id, u.id FROM t JOIN u ON u.x = 6 / t.b AND t.b <> 0')).rejects.toThrow(/Division by zero/);
  });
});
