import { describe, expect, it } from 'vitest';
import { expectError, expectInBothLayouts, newSession, rowsOf } from './support.js';

// PostgreSQL 15's answers for the same rows (float8 columns).
describe('variance, standard deviation and the BOOLEAN aggregates', () => {
  it('match PostgreSQL per group: NULL for a sample of one, 0 for a population of one', async () => {
    await expectInBothLayouts(
      'CREATE TABLE t (id INT PRIMARY KEY, g INT, v FLOAT, b BOOLEAN)',
      'INSERT INTO t VALUES (1, 1, 1.5, true), (2, 1, 2.5, false), (3, 2, NULL, NULL), (4, 2, 4.0, true), (5, 3, 7, true)',
      'SELECT g, variance(v), var_pop(v), stddev(v), stddev_pop(v), stddev_samp(id), bool_and(b), bool_or(b), every(v > 1) FROM t GROUP BY g ORDER BY g',
      [
        [1, 0.5, 0.25, 0.7071067811865476, 0.5, 0.7071067811865476, false, true, true],
        [2, null, 0, null, 0, 0.7071067811865476, true, true, true],
        [3, null, 0, null, 0, null, true, true, true],
      ],
    );
  });

  it('keep the spread of large values close together, to the bit PostgreSQL gives', async () => {
    const { session } = await newSession();
    const spread = async (values: string) => rowsOf(await session.execute(
      `SELECT var_samp(x), var_pop(x), stddev(x), stddev_pop(x) FROM (${values}) d`));
    expect(await spread('SELECT 1e9 + 1 AS x UNION ALL SELECT 1e9 + 2 UNION ALL SELECT 1e9 + 3'))
      .toEqual([[1, 0.6666666666666666, 1, 0.816496580927726]]);
    expect(await spread('SELECT 1e15 + 0.5 AS x UNION ALL SELECT 1e15 + 1.5 UNION ALL SELECT 1e15 + 4.5 UNION ALL SELECT 1e15 + 2'))
      .toEqual([[2.8958333333333335, 2.171875, 1.7017148213885114, 1.4737282653189494]]);
    expect(await spread('SELECT 0.1 AS x UNION ALL SELECT 0.2 UNION ALL SELECT 0.3'))
      .toEqual([[0.009999999999999992, 0.006666666666666661, 0.09999999999999996, 0.08164965809277257]]);
  });

  it('answer NaN after an infinite or NaN value, and refuse finite values whose sums overflow (PostgreSQL)', async () => {
    const { session } = await newSession();
    expect(rowsOf(await session.execute("SELECT var_pop(x), var_samp(x), stddev_pop(x) FROM (SELECT CAST('Infinity' AS FLOAT) AS x) v")))
      .toEqual([[Number.NaN, null, Number.NaN]]);
    expect(rowsOf(await session.execute("SELECT var_pop(x), var_samp(x) FROM (SELECT CAST('Infinity' AS FLOAT) AS x UNION ALL SELECT 1) v")))
      .toEqual([[Number.NaN, Number.NaN]]);
    await expectError(session, 'SELECT variance(x) FROM (SELECT 1e308 AS x UNION ALL SELECT -1e308) v', 'INVALID_ARGUMENT', /value out of range: overflow/);
  });

  it('refuse arguments of the wrong type and OVER, by name', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, s STRING)');
    await expectError(session, 'SELECT stddev(s) FROM t', 'TYPE_MISMATCH', 'Type mismatch: stddev() needs a number, got STRING');
    await expectError(session, 'SELECT bool_or(id) FROM t', 'TYPE_MISMATCH', 'Type mismatch: bool_or() needs a BOOLEAN, got INT');
    await expectError(session, 'SELECT variance(id) OVER (ORDER BY id) FROM t', 'UNSUPPORTED', 'Unsupported: variance() as a window function');
  });
});
