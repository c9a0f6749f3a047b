import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import { executeInTransaction } from '../../src/sql/execute.js';
import { expectError, newSession, rowsOf, run } from './support.js';

async function fixture() {
  const env = await newSession();
  await run(env.session,
    'CREATE TABLE t (id INT PRIMARY KEY, name STRING NOT NULL, v FLOAT, n INT)',
    "INSERT INTO t VALUES (1, 'a', 1.5, 10), (2, 'b', NULL, 20), (3, 'c', 3, NULL)",
    'CREATE TABLE copy (id INT PRIMARY KEY, name STRING NOT NULL, v FLOAT, n INT)',
    'CREATE TABLE log (name STRING, total FLOAT)',
    "INSERT INTO log VALUES ('x', 1)");
  return env;
}

describe('INSERT ... SELECT', () => {
  it.each([
    ['INSERT INTO copy SELECT * FROM t', 3, 'SELECT * FROM copy',
      [[1, 'a', 1.5, 10], [2, 'b', null, 20], [3, 'c', 3, null]]],
    ['INSERT INTO copy (name, id) SELECT name, id * 10 FROM t WHERE id > 1', 2, 'SELECT * FROM copy',
      [[20, 'b', null, null], [30, 'c', null, null]]],
    ['INSERT INTO t SELECT id + 100, name, n, n FROM t', 3, 'SELECT id, v, n FROM t WHERE id > 100',
      [[101, 10, 10], [102, 20, 20], [103, null, null]]],
    ['INSERT INTO t (id, name) SELECT max(id) + 1, \'next\' FROM t', 1, 'SELECT id, name FROM t WHERE id = 4', [[4, 'next']]],
    ['INSERT INTO log SELECT name, sum(n) FROM t GROUP BY name ORDER BY name LIMIT 2', 2, 'SELECT * FROM log',
      [['x', 1], ['a', 10], ['b', 20]]],
    ['INSERT INTO log SELECT * FROM log', 1, 'SELECT count(*) FROM log', [[2]]],
    ['INSERT INTO log SELECT name, v FROM t WHERE n IN (SELECT n FROM t WHERE n > 15)', 1,
      'SELECT * FROM log WHERE name = \'b\'', [['b', null]]],
    ['INSERT INTO log (name) SELECT name FROM t UNION SELECT \'z\' ORDER BY 1', 4,
      'SELECT name FROM log WHERE total IS NULL', [['a'], ['b'], ['c'], ['z']]],
    ['INSERT INTO copy SELECT * FROM t WHERE id > 100', 0, 'SELECT count(*) FROM copy', [[0]]],
  ] as const)('%s', async (sql, affected, check, rows) => {
    const { session } = await fixture();
    expect(await session.execute(sql)).toEqual({ kind: 'message', message: `Inserted into ${sql.split(' ')[2]}`, rowsAffected: affected });
    expect(rowsOf(await session.execute(check))).toEqual(rows);
  });

  it.each([
    ['INSERT INTO t SELECT * FROM t', 'DUPLICATE_KEY', 'duplicate primary key (1) in table t'],
    ['INSERT INTO copy SELECT id, name FROM t', 'INVALID_ARGUMENT', 'INSERT INTO copy: the SELECT gives 2 columns for 4 target columns'],
    ['INSERT INTO copy (id) SELECT id FROM t', 'NOT_NULL_VIOLATION', 'NULL value in column copy.name violates NOT NULL'],
    ['INSERT INTO copy SELECT id, n, v, n FROM t', 'TYPE_MISMATCH', 'Type mismatch: column copy.name is STRING, got INT 10'],
    ['INSERT INTO copy SELECT * FROM nope', 'UNKNOWN_TABLE', 'Unknown table nope'],
    ['INSERT INTO copy WITH x AS (SELECT 1) SELECT * FROM x', 'INVALID_ARGUMENT', 'INSERT INTO copy: the SELECT gives 1 columns for 4 target columns'],
    ['INSERT INTO copy SELECT * FROM t RETURNING id', 'UNSUPPORTED', 'Unsupported: RETURNING'],
  ] as const)('%s fails with %s and inserts nothing', async (sql, code, message) => {
    const { session } = await fixture();
    await expectError(session, sql, code, message);
    expect(rowsOf(await session.execute('SELECT count(*) FROM t'))).toEqual([[3]]);
    expect(rowsOf(await session.execute('SELECT count(*) FROM copy'))).toEqual([[0]]);
  });

  it("holds at most the write limit's rows (the same constant on every replica)", async () => {
    const { engine } = await fixture();
    const txn = await engine.begin();
    try {
      const limits = { timeoutMs: Infinity, maxMaterializedRows: 2 };
      const error: unknown = await executeInTransaction('INSERT INTO copy SELECT * FROM t', txn, 0, limits).catch((e: unknown) => e);
      expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/^INSERT \.\.\. SELECT holds more than 2 rows/);
      const fits = await executeInTransaction('INSERT INTO copy SELECT * FROM t WHERE id < 3', txn, 0, limits);
      expect(fits).toMatchObject({ rowsAffected: 2 });
    } finally {
      await txn.rollback();
    }
  });
});
