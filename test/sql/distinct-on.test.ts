import { describe, expect, it } from 'vitest';
import { expectError, expectInBothLayouts, newSession, rowsOf } from './support.js';

const TABLE = 'CREATE TABLE w (id INT PRIMARY KEY, g INT, v FLOAT)';
const ROWS = 'INSERT INTO w VALUES (1, 1, 1.5), (2, 1, 2.5), (3, 2, NULL), (4, 2, 4.0), (5, 1, 2.5), (6, 2, 7), (7, 1, 0)';

// PostgreSQL 15's answers; where it leaves the row of a set open, the ORDER BY here fixes it.
describe('SELECT DISTINCT ON (keys)', () => {
  it.each([
    ['SELECT DISTINCT ON (g) g, id, v FROM w ORDER BY g, id DESC', [[1, 7, 0], [2, 6, 7]]],
    ['SELECT DISTINCT ON (g, v) g, v, id FROM w ORDER BY g, v, id DESC', [[1, 0, 7], [1, 1.5, 1], [1, 2.5, 5], [2, 4, 4], [2, 7, 6], [2, null, 3]]],
    // ORDER BY names only some keys: the others sort after it.
    ['SELECT DISTINCT ON (g, v) g, v FROM w ORDER BY g DESC', [[2, 4], [2, 7], [2, null], [1, 0], [1, 1.5], [1, 2.5]]],
    ['SELECT DISTINCT ON (g) id FROM w ORDER BY g, v DESC NULLS LAST, id', [[2], [6]]],
    ['SELECT DISTINCT ON (g % 2) g, id FROM w ORDER BY g % 2, id', [[2, 3], [1, 1]]],
    ['SELECT DISTINCT ON (1) g, id FROM w ORDER BY 1, 2 DESC', [[1, 7], [2, 6]]],
    ['SELECT DISTINCT ON (g) g, count(*) FROM w GROUP BY g, v ORDER BY g, count(*) DESC', [[1, 2], [2, 1]]],
    ['SELECT DISTINCT ON (g) g, id FROM w ORDER BY g, id DESC LIMIT 1 OFFSET 1', [[2, 6]]],
    ['SELECT DISTINCT ON (g) g FROM w', [[1], [2]]],
    ['SELECT DISTINCT ON (v) v FROM w ORDER BY v NULLS FIRST', [[null], [0], [1.5], [2.5], [4], [7]]],
  ] as const)('%s', async (sql, expected) => {
    await expectInBothLayouts(TABLE, ROWS, sql, expected);
  });

  it('gives the latest reading per device', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE r (device STRING, ts INT, v FLOAT, PRIMARY KEY (device, ts))');
    await session.execute("INSERT INTO r VALUES ('a', 1, 10), ('a', 3, 12), ('b', 2, 5), ('a', 2, 11), ('b', 1, 4)");
    expect(rowsOf(await session.execute('SELECT DISTINCT ON (device) device, ts, v FROM r ORDER BY device, ts DESC')))
      .toEqual([['a', 3, 12], ['b', 2, 5]]);
  });

  it('reads a key as ORDER BY does (an output name before a column), and takes aggregates and windows', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE dr (device STRING, ts INT, v FLOAT, PRIMARY KEY (device, ts))');
    await session.execute("INSERT INTO dr VALUES ('a', 1, 1), ('a', 2, 5), ('a', 3, 2), ('b', 1, 7), ('b', 2, 3), ('c', 5, 3), ('c', 6, NULL)");
    const cases: readonly (readonly [string, unknown[][]])[] = [
      ['SELECT DISTINCT ON (ts) device AS ts FROM dr ORDER BY ts', [['a'], ['b'], ['c']]],
      ['SELECT DISTINCT ON (device) ts AS device, v FROM dr ORDER BY device DESC, v', [[6, null], [5, 3], [3, 2], [2, 3], [1, 1]]],
      ['SELECT DISTINCT ON (v) device, max(v) AS v FROM dr GROUP BY device ORDER BY v, device', [['c', 3], ['a', 5], ['b', 7]]],
      ['SELECT DISTINCT ON (max(ts)) device FROM dr GROUP BY device ORDER BY max(ts), device', [['b'], ['a'], ['c']]],
      ['SELECT DISTINCT ON (count(*)) 1 FROM dr', [[1]]],
      ['SELECT DISTINCT ON (row_number() OVER (ORDER BY device, ts) % 3) device, ts FROM dr ' +
        'ORDER BY row_number() OVER (ORDER BY device, ts) % 3, device, ts', [['a', 3], ['a', 1], ['a', 2]]],
    ];
    for (const [sql, expected] of cases) expect(rowsOf(await session.execute(sql)), sql).toEqual(expected);
  });

  it('wants ORDER BY to start with its keys, as PostgreSQL does', async () => {
    const { session } = await newSession();
    await session.execute(TABLE);
    await expectError(session, 'SELECT DISTINCT ON (g) g, id FROM w ORDER BY id', 'INVALID_ARGUMENT',
      'SELECT DISTINCT ON expressions must match initial ORDER BY expressions (ORDER BY id comes before every DISTINCT ON key is named)');
    await expectError(session, 'SELECT DISTINCT ON (g, v) g FROM w ORDER BY g, id, v', 'INVALID_ARGUMENT',
      /^SELECT DISTINCT ON expressions must match initial ORDER BY expressions/);
  });

  it('shows in EXPLAIN after the sort it runs after, the keys ORDER BY leaves out sorted too', async () => {
    const { session } = await newSession();
    await session.execute(TABLE);
    const steps = async (sql: string) => rowsOf(await session.execute(`EXPLAIN ${sql}`)).map((r) => String(r[0]).trim());
    const ordered = await steps('SELECT DISTINCT ON (g) g, id FROM w ORDER BY g, id DESC LIMIT 5');
    expect(ordered.slice(0, 3).map((s) => s.replace(/^[^A-Za-z]*/, ''))).toEqual(['Limit 5', 'Distinct on g', 'Sort by g, id DESC']);
    const unordered = await steps('SELECT DISTINCT ON (g, v) g FROM w');
    expect(unordered.slice(0, 2).map((s) => s.replace(/^[^A-Za-z]*/, ''))).toEqual(['Distinct on g, v', 'Sort by g, v']);
  });
});
