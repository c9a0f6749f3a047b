import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf, run } from './support.js';

/** Rows over several statements, so a columnar run (tiny blocks) holds blocks and head entries. */
async function fixture() {
  const env = await newSession();
  await run(env.session,
    'CREATE TABLE t (id INT PRIMARY KEY, name STRING NOT NULL, v FLOAT, n INT)',
    "INSERT INTO t VALUES (1, 'a', 1.5, 10), (2, 'b', NULL, 20), (3, 'c', 3, NULL)",
    "INSERT INTO t VALUES (4, 'd', 4.5, 40), (5, 'e', 5, 50), (6, 'f', 6, 60)",
    "INSERT INTO t VALUES (7, 'g', 7, 70)",
    'CREATE INDEX t_n ON t (n)',
    'CREATE INDEX t_v ON t (v, n)');
  return env;
}

describe('ALTER TABLE', () => {
  it.each([
    ['ALTER TABLE t ADD COLUMN w INT', 'Column w added to t',
      'SELECT id, w FROM t WHERE id <= 2', [[1, null], [2, null]]],
    ['ALTER TABLE t ADD w BOOLEAN', 'Column w added to t', 'SELECT * FROM t WHERE id = 1', [[1, 'a', 1.5, 10, null]]],
    ['ALTER TABLE t ADD COLUMN IF NOT EXISTS v INT', 'Column v already exists in t', 'SELECT v FROM t WHERE id = 1', [[1.5]]],
    ['ALTER TABLE t DROP COLUMN v', 'Column v dropped from t (index t_v dropped with it)',
      'SELECT * FROM t WHERE n >= 60', [[6, 'f', 60], [7, 'g', 70]]],
    ['ALTER TABLE t DROP n', 'Column n dropped from t (indexes t_n, t_v dropped with it)',
      'SELECT * FROM t WHERE id = 3', [[3, 'c', 3]]],
    ['ALTER TABLE t DROP COLUMN name', 'Column name dropped from t', 'SELECT * FROM t WHERE n = 20', [[2, null, 20]]],
    ['ALTER TABLE t DROP COLUMN IF EXISTS zz', 'Column zz does not exist in t', 'SELECT count(*) FROM t', [[7]]],
    ['ALTER TABLE t RENAME TO u', 'Table t renamed to u', 'SELECT count(*) FROM u WHERE n > 10', [[5]]],
    ['ALTER TABLE t RENAME COLUMN v TO temp', 'Column v of t renamed to temp',
      'SELECT id FROM t WHERE temp > 4 AND n < 60', [[4], [5]]],
    ['ALTER TABLE t RENAME name TO label', 'Column name of t renamed to label', "SELECT id FROM t WHERE label = 'b'", [[2]]],
  ] as const)('%s', async (sql, message, check, rows) => {
    const { session } = await fixture();
    expect(await session.execute(sql)).toEqual({ kind: 'message', message, rowsAffected: 0 });
    expect(rowsOf(await session.execute(check))).toEqual(rows);
  });

  it.each([
    ['ALTER TABLE nope ADD c INT', 'UNKNOWN_TABLE', 'Unknown table nope'],
    ['ALTER TABLE t DROP COLUMN zz', 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ['ALTER TABLE t RENAME zz TO yy', 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ['ALTER TABLE t ADD COLUMN v INT', 'INVALID_ARGUMENT', 'Column v already exists in table t'],
    ['ALTER TABLE t RENAME v TO n', 'INVALID_ARGUMENT', 'Column n already exists in table t'],
    ['ALTER TABLE t ADD COLUMN w INT NOT NULL', 'NOT_NULL_VIOLATION',
      'Column w of table t cannot be NOT NULL: the table has rows, which would read NULL in it; add it without NOT NULL'],
    ['ALTER TABLE t DROP COLUMN id', 'INVALID_ARGUMENT', 'Column id is part of the primary key of table t and cannot be dropped'],
    ['ALTER TABLE t RENAME TO s', 'TABLE_EXISTS', 'Table s already exists'],
  ] as const)('%s fails with %s', async (sql, code, message) => {
    const { session } = await fixture();
    await run(session, 'CREATE TABLE s (a INT)');
    await expectError(session, sql, code, message);
  });

  it('a new column takes values; NOT NULL on an empty table is enforced', async () => {
    const { session } = await fixture();
    await run(session,
      'ALTER TABLE t ADD COLUMN w STRING',
      "INSERT INTO t VALUES (8, 'h', 8, 80, 'new')",
      "UPDATE t SET w = 'old' WHERE id = 1",
      'CREATE TABLE e (a INT)',
      'ALTER TABLE e ADD COLUMN b INT NOT NULL');
    expect(rowsOf(await session.execute('SELECT id, w FROM t WHERE w IS NOT NULL'))).toEqual([[1, 'old'], [8, 'new']]);
    expect(rowsOf(await session.execute('SELECT count(*) FROM t WHERE w IS NULL'))).toEqual([[6]]);
    await expectError(session, 'INSERT INTO e (a) VALUES (1)', 'NOT_NULL_VIOLATION', 'NULL value in column e.b violates NOT NULL');
  });

  it('drop then add a column of the same name starts it empty; the dropped index name is free', async () => {
    const { session } = await fixture();
    await run(session,
      'ALTER TABLE t DROP COLUMN n',
      'ALTER TABLE t ADD COLUMN n STRING',
      'CREATE INDEX t_n ON t (n)',
      "UPDATE t SET n = 'x' WHERE id > 5");
    expect(rowsOf(await session.execute("SELECT id, n FROM t WHERE n = 'x'"))).toEqual([[6, 'x'], [7, 'x']]);
    expect(rowsOf(await session.execute('SELECT count(*) FROM t WHERE n IS NULL'))).toEqual([[5]]);
  });

  it('ALTER inside a transaction: later statements see it, ROLLBACK undoes it', async () => {
    const { session } = await fixture();
    await run(session, 'BEGIN', 'ALTER TABLE t ADD COLUMN w INT', 'UPDATE t SET w = id * 2 WHERE id < 3');
    expect(rowsOf(await session.execute('SELECT id, w FROM t WHERE w IS NOT NULL'))).toEqual([[1, 2], [2, 4]]);
    await run(session, 'ROLLBACK');
    await expectError(session, 'SELECT w FROM t', 'UNKNOWN_COLUMN', 'Unknown column w in table t');
    await run(session, 'BEGIN', 'ALTER TABLE t RENAME TO u', 'ALTER TABLE u DROP COLUMN v', 'COMMIT');
    expect(rowsOf(await session.execute('SELECT * FROM u WHERE id = 1'))).toEqual([[1, 'a', 10]]);
  });
});
