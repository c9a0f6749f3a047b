import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';

const TWO_53 = 9007199254740992n;

/** Rows of `sql` after the fixture: w holds an INT past 2^53, i and g the same number as INT and FLOAT. */
async function answer(sql: string): Promise<readonly (readonly unknown[])[]> {
  const { session } = await newSession();
  for (const setup of [
    'CREATE TABLE w (id INT PRIMARY KEY, a INT, f FLOAT)',
    'INSERT INTO w VALUES (1, 9007199254740993, NULL), (2, 1, 0.5), (3, 9007199254740993, NULL)',
    'CREATE TABLE i (a INT)', 'CREATE TABLE g (f FLOAT)',
    'INSERT INTO i VALUES (9007199254740992)', 'INSERT INTO g VALUES (9007199254740992.0)',
  ]) await session.execute(setup);
  return rowsOf(await session.execute(sql));
}

describe('INT and FLOAT where the result is FLOAT', () => {
  it.each([
    // An INT passed through as FLOAT is a double (the nearest one past 2^53), never a bigint.
    ['SELECT coalesce(a, 0.5) FROM w WHERE id = 1', [[9007199254740992]]],
    ['SELECT sum(coalesce(a, 0.5)), sum(coalesce(f, a)) FROM w WHERE id < 3', [[9007199254740992, 9007199254740992]]],
    ['SELECT coalesce(a, 0.5) = 9007199254740992.0 FROM w WHERE id = 1', [[true]]],
    ['SELECT lag(a, 1, 0.5) OVER (ORDER BY id) FROM w WHERE id < 3', [[0.5], [9007199254740992]]],
    // Set operations compare in the combined type: 2^53 and 2^53.0 are one value.
    ['SELECT a FROM i UNION SELECT f FROM g', [[9007199254740992]]],
    ['SELECT a FROM i INTERSECT SELECT f FROM g', [[9007199254740992]]],
    ['SELECT a FROM i EXCEPT SELECT f FROM g', []],
    ['SELECT x, count(*) FROM (SELECT a AS x FROM i UNION ALL SELECT f FROM g) d GROUP BY x', [[9007199254740992, 2]]],
    // avg(INT) divides the exact sum: (2 * (2^53 + 1) + 1) / 3 = 6004799503160662.33...
    ['SELECT avg(a) FROM w', [[6004799503160662]]],
    ['SELECT x + 1 FROM (SELECT nullif(NULL, 5) AS x) d', [[null]]],
    // A derived column of only NULLs takes any type, as the NULL literal does.
    ['SELECT floor(d.x), d.x BETWEEN 0.0 AND 1, 0 IN (d.x), d.x || \'s\' FROM (SELECT NULL AS x FROM i) d', [[null, null, null, null]]],
    ['SELECT x + 1 FROM (SELECT sum(NULL) AS x FROM i UNION SELECT NULL) d', [[null]]],
  ] as const)('%s', async (sql, expected) => {
    expect(await answer(sql)).toEqual(expected);
  });

  it('keeps INT results exact: sum past 2^53', async () => {
    expect(await answer('SELECT sum(a) FROM w')).toEqual([[2n * (TWO_53 + 1n) + 1n]]);
  });
});

describe('INT overflow is an error, never a wrong INT', () => {
  it.each([
    ['abs(-9223372036854775807 - 1)', "INT overflow in 'abs' (beyond int64)"],
    ["time_bucket('1m', -9223372036854775807 - 1)", "INT overflow in 'time_bucket' (beyond int64)"],
    ['round(9223372036854775807, -1)', "INT overflow in 'round' (beyond int64)"],
    ['CAST(1e19 AS INT)', 'Cannot cast 10000000000000000000 to INT'],
    ['CAST(-1e19 AS INT)', 'Cannot cast -10000000000000000000 to INT'],
    ['CAST(1e300 AS INT)', 'Cannot cast 1e+300 to INT'],
    // The literal INT64_MIN negated is the value 2^63, not a literal out of range.
    ['-(-9223372036854775808)', "INT overflow in '-' (beyond int64)"],
    ['- -9223372036854775808', "INT overflow in '-' (beyond int64)"],
  ] as const)('%s', async (expr, message) => {
    await expectError((await newSession()).session, `SELECT ${expr}`, 'INVALID_ARGUMENT', message);
  });
});

describe('round', () => {
  it.each([
    ['round(9007199254740993, -2)', 9007199254741000],
    ['round(-9007199254740993, -1)', -9007199254740990],
    ['round(1234, -2)', 1200],
    ['round(1250, -2)', 1300],
    ['round(-1250, -2)', -1300],
    ['round(4611686018427387903, -19)', 0],
    // Of the digits as written: half away from zero.
    ['round(1.005, 2)', 1.01],
    ['round(0.285, 2)', 0.29],
    ['round(2.675, 2)', 2.68],
    ['round(-2.675, 2)', -2.68],
    ['round(1234.5678, -2)', 1200],
    ['round(1.5, 400)', 1.5],
    ['round(1.25, -400)', 0],
    ['round(1e300, 2)', 1e300],
    ['round(0.000001234, 8)', 0.00000123],
  ] as const)('%s = %s', async (expr, expected) => {
    const { session } = await newSession();
    const [[value]] = rowsOf(await session.execute(`SELECT ${expr}`)) as unknown[][] as [[unknown]];
    expect(typeof value === 'bigint' ? Number(value) : value).toBe(expected);
  });
});
