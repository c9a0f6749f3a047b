import { describe, expect, it } from 'vitest';
import { seriesRows } from '../../src/sql/series.js';
import { DEFAULT_STATEMENT_LIMITS, StatementGuard } from '../../src/sql/statement-guard.js';
import { Random } from '../../src/lib/index.js';
import { expectError, newSession, rowsOf } from './support.js';

// PostgreSQL 15's answers (its numeric series print 1.00 where we print 1).
describe('generate_series(start, stop [, step]) in FROM', () => {
  it.each([
    ['SELECT * FROM generate_series(1, 10, 3) AS g', [[1], [4], [7], [10]]],
    ['SELECT g.t FROM generate_series(10, 1, -4) AS g(t)', [[10], [6], [2]]],
    ['SELECT x FROM generate_series(0, 1, 0.1) x', [[0], [0.1], [0.2], [0.3], [0.4], [0.5], [0.6], [0.7], [0.8], [0.9], [1]]],
    ['SELECT x FROM generate_series(0.5, 2, 0.25) x', [[0.5], [0.75], [1], [1.25], [1.5], [1.75], [2]]],
    ['SELECT * FROM generate_series(1.5, 3)', [[1.5], [2.5]]],
    ['SELECT x FROM generate_series(-1.5, -3, -0.5) x', [[-1.5], [-2], [-2.5], [-3]]],
    // Past nine decimal places and in exponents the steps stay exact.
    ['SELECT count(*), max(x) FROM generate_series(0, 7e-10, 1e-10) x', [[8, 7e-10]]],
    ['SELECT x FROM generate_series(1, 2, 0.3333333333) x', [[1], [1.3333333333], [1.6666666666], [1.9999999999]]],
    ['SELECT * FROM generate_series(5, 1)', []],
    ['SELECT * FROM generate_series(1, NULL)', []],
    ['SELECT count(*), sum(generate_series) FROM generate_series(1, 100000)', [[100000, 5000050000]]],
    ['SELECT * FROM generate_series(9223372036854775806, 9223372036854775807)', [[9223372036854775806n], [9223372036854775807n]]],
    ['SELECT a, b FROM generate_series(1, 3) a JOIN generate_series(2, 4) b ON a = b', [[2, 2], [3, 3]]],
  ] as const)('%s', async (sql, expected) => {
    const { session } = await newSession();
    expect(rowsOf(await session.execute(sql))).toEqual(expected);
  });

  it('lays out the time steps a LEFT JOIN fills, gaps as NULL', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE r (ts INT PRIMARY KEY, v FLOAT)');
    await session.execute('INSERT INTO r VALUES (1700000060, 1.5), (1700000180, 2.5)');
    const result = await session.execute('SELECT s.t, r.v FROM generate_series(1700000000, 1700000240, 60) AS s(t) LEFT JOIN r ON r.ts = s.t ORDER BY 1');
    expect(rowsOf(result)).toEqual([[1700000000, null], [1700000060, 1.5], [1700000120, null], [1700000180, 2.5], [1700000240, null]]);
  });

  it('leaves a table of the same name as its alias visible beside it, as a subquery in FROM does', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t9 (id INT PRIMARY KEY, g INT)');
    await session.execute('INSERT INTO t9 VALUES (1, 10), (2, 20), (5, 50)');
    expect(rowsOf(await session.execute('SELECT * FROM generate_series(1, 3) AS t9(id) JOIN t9 AS u ON u.id = t9.id ORDER BY 1')))
      .toEqual([[1, 1, 10], [2, 2, 20]]);
    expect(rowsOf(await session.execute('SELECT * FROM t9 AS u JOIN (SELECT 1 AS id) AS t9 ON t9.id = u.id'))).toEqual([[1, 10, 1]]);
    await expectError(session, 'SELECT t9.zz FROM (SELECT 1 AS id) AS t9', 'UNKNOWN_COLUMN', 'Unknown column zz in table t9 (subquery)');
  });

  it('refuses a zero step, non-numbers, columns, and more rows than a statement may hold', async () => {
    const { session } = await newSession();
    await expectError(session, 'SELECT * FROM generate_series(1, 3, 0)', 'INVALID_ARGUMENT', 'generate_series(): step size cannot equal zero');
    await expectError(session, "SELECT * FROM generate_series('a', 'b')", 'TYPE_MISMATCH', /generate_series\(\) needs numbers/);
    await expectError(session, 'SELECT * FROM generate_series(1, 3) a, generate_series(1, a) b', 'UNSUPPORTED',
      'Unsupported: generate_series() arguments that name columns (no LATERAL): Unknown column a (no table in FROM)');
    await expectError(session, 'SELECT * FROM generate_series(1)', 'INVALID_ARGUMENT', /takes a start, a stop and optionally a step; got 1 arguments/);
    await expectError(session, 'SELECT generate_series(1, 3)', 'UNSUPPORTED', 'Unsupported function generate_series() outside FROM (SELECT * FROM generate_series(1, 10))');
    await expectError(session, 'SELECT * FROM unnest(1)', 'UNSUPPORTED', 'Unsupported: table function unnest() (generate_series is one)');
    // Counted before any row is made: a node's statement limit refuses it at once.
    const guard = new StatementGuard({ ...DEFAULT_STATEMENT_LIMITS, maxMaterializedRows: 1000 });
    const call = { args: [1, 5000].map((value) => ({ kind: 'literal' as const, value, type: 'INT' as const })), column: 'x' };
    const error: unknown = await seriesRows(call, 0, guard).then(() => undefined, (e: unknown) => e);
    expect(String(error)).toContain('generate_series() holds more than 1000 rows');
    // Without statement limits (a local node) a series still has one.
    await expectError(session, 'SELECT count(*) FROM generate_series(1, 1000000000000)', 'LIMIT_EXCEEDED',
      'generate_series() of 1000000000000 values, over the limit of 10000000; take a larger step');
  });

  it('steps by exact decimals: random starts and steps of up to 12 places, written as literals', async () => {
    const { session } = await newSession();
    const rng = new Random(31);
    const literal = (whole: bigint, places: number): string => {
      if (places === 0) return String(whole);
      const digits = (whole < 0n ? -whole : whole).toString().padStart(places + 1, '0');
      return `${whole < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
    };
    for (let trial = 0; trial < 60; trial++) {
      const places = rng.between(1, 12);
      const start = BigInt(rng.between(-5000, 5000));
      const step = BigInt(rng.between(1, 900)) * (rng.chance(0.3) ? -1n : 1n);
      const count = rng.between(1, 40);
      // The stop lies somewhere before the next step, so it is reached or not by a part of one.
      const stop = start + step * BigInt(count - 1) + (step > 0n ? 1n : -1n) * BigInt(rng.between(0, Number(step > 0n ? step : -step) - 1));
      const sql = `SELECT x FROM generate_series(${literal(start, places)}, ${literal(stop, places)}, ${literal(step, places)}) AS q(x)`;
      const want = Array.from({ length: count }, (_, i) => [Number(literal(start + step * BigInt(i), places))]);
      expect(rowsOf(await session.execute(sql)), sql).toEqual(want);
    }
  });
});
