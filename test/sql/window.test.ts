import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';

/** Readings of two devices; one reading has no value. */
async function fixture() {
  const { session } = await newSession();
  await session.execute('CREATE TABLE r (dev STRING, ts INT, v FLOAT, PRIMARY KEY (dev, ts))');
  await session.execute("INSERT INTO r VALUES ('a', 1, 10), ('a', 2, 12), ('a', 3, NULL), ('a', 4, 20), " +
    "('b', 1, 5), ('b', 2, 5), ('b', 3, 7)");
  return session;
}

describe('window functions', () => {
  it.each([
    // Numbering: row_number counts rows, rank leaves gaps after peers, dense_rank does not.
    ["SELECT dev, ts, row_number() OVER (PARTITION BY dev ORDER BY ts) FROM r ORDER BY dev, ts",
      [['a', 1, 1], ['a', 2, 2], ['a', 3, 3], ['a', 4, 4], ['b', 1, 1], ['b', 2, 2], ['b', 3, 3]]],
    ["SELECT ts, rank() OVER (ORDER BY v), dense_rank() OVER (ORDER BY v) FROM r WHERE dev = 'b' ORDER BY ts",
      [[1, 1, 1], [2, 1, 1], [3, 3, 2]]],
    // Deltas and look-ahead, with offsets and defaults; a NULL value stays a NULL.
    ["SELECT ts, v - lag(v) OVER (ORDER BY ts) FROM r WHERE dev = 'a' ORDER BY ts",
      [[1, null], [2, 2], [3, null], [4, null]]],
    ["SELECT ts, lag(v, 2, -1) OVER (ORDER BY ts), lead(ts) OVER (ORDER BY ts) FROM r WHERE dev = 'a' ORDER BY ts",
      [[1, -1, 2], [2, -1, 3], [3, 10, 4], [4, 12, null]]],
    // An offset past 2^53 reaches past any partition: the default (or NULL).
    ["SELECT ts, lag(v, 9223372036854775807, -1) OVER (ORDER BY ts), lead(ts, 9007199254740993) OVER (ORDER BY ts) FROM r WHERE dev = 'a' ORDER BY ts",
      [[1, -1, null], [2, -1, null], [3, -1, null], [4, -1, null]]],
    // Moving average over the last two readings: AVG skips the NULL.
    ["SELECT ts, avg(v) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r WHERE dev = 'a' ORDER BY ts",
      [[1, 10], [2, 11], [3, 12], [4, 20]]],
    // The default frame with ORDER BY runs to the last peer; without ORDER BY it is the partition.
    ["SELECT ts, sum(v) OVER (ORDER BY v), sum(v) OVER () FROM r WHERE dev = 'b' ORDER BY ts",
      [[1, 10, 17], [2, 10, 17], [3, 17, 17]]],
    ["SELECT ts, count(*) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM r WHERE dev = 'a' ORDER BY ts",
      [[1, 4], [2, 3], [3, 2], [4, 1]]],
    ["SELECT ts, sum(ts) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM r WHERE dev = 'b' ORDER BY ts",
      [[1, 5], [2, 3], [3, null]]],
    ["SELECT ts, first_value(v) OVER (ORDER BY ts), last_value(v) OVER (ORDER BY ts) FROM r WHERE dev = 'b' ORDER BY ts",
      [[1, 5, 5], [2, 5, 5], [3, 5, 7]]],
    ["SELECT ts, last_value(ts) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM r WHERE dev = 'b'",
      [[1, 3], [2, 3], [3, 3]]],
    // Latest reading per device, through a derived table.
    ["SELECT d.dev, d.ts FROM (SELECT dev, ts, row_number() OVER (PARTITION BY dev ORDER BY ts DESC) AS n FROM r) AS d WHERE d.n = 1 ORDER BY d.dev",
      [['a', 4], ['b', 3]]],
    // Over grouped rows: the window sees one row per group, and may order by an aggregate.
    ['SELECT dev, count(*), rank() OVER (ORDER BY count(*) DESC), sum(count(*)) OVER () FROM r GROUP BY dev ORDER BY dev',
      [['a', 4, 1, 7], ['b', 3, 2, 7]]],
    // In ORDER BY, and with no FROM.
    ["SELECT ts FROM r WHERE dev = 'a' ORDER BY row_number() OVER (ORDER BY ts DESC) LIMIT 2", [[4], [3]]],
    ['SELECT row_number() OVER ()', [[1]]],
  ] as const)('%s', async (sql, expected) => {
    const session = await fixture();
    expect(rowsOf(await session.execute(sql))).toEqual(expected);
  });

  it.each([
    ['SELECT ntile(0) OVER (ORDER BY ts) FROM r', 'INVALID_ARGUMENT', 'ntile() argument must be greater than zero, got 0'],
    ['SELECT nth_value(v, -1) OVER (ORDER BY ts) FROM r', 'INVALID_ARGUMENT', 'nth_value() argument must be greater than zero, got -1'],
    ['SELECT ntile(1.5) OVER (ORDER BY ts) FROM r', 'TYPE_MISMATCH', /ntile\(\) needs an INT count, got FLOAT/],
    ["SELECT nth_value(v, '2') OVER (ORDER BY ts) FROM r", 'TYPE_MISMATCH', /nth_value\(\) needs an INT count, got STRING/],
    ['SELECT sum(v) OVER (ORDER BY ts GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r', 'UNSUPPORTED', /GROUPS frames/],
    ['SELECT sum(v) OVER (ORDER BY ts RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM r', 'UNSUPPORTED', /RANGE frames with an offset/],
    ['SELECT sum(v) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM r', 'UNSUPPORTED', /EXCLUDE/],
    ['SELECT sum(v) OVER w FROM r', 'UNSUPPORTED', /named windows/],
    ['SELECT count(DISTINCT v) OVER () FROM r', 'UNSUPPORTED', /DISTINCT in a window function/],
    ['SELECT row_number() FROM r', 'INVALID_ARGUMENT', /needs OVER/],
    ['SELECT lag() OVER (ORDER BY ts) FROM r', 'INVALID_ARGUMENT', /lag\(\) takes 1 to 3 arguments, got 0/],
    ['SELECT sum(v) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM r', 'INVALID_ARGUMENT', /ends before it starts/],
    ['SELECT ts FROM r WHERE row_number() OVER (ORDER BY ts) = 1', 'INVALID_ARGUMENT', /only in the select list and ORDER BY/],
    ['SELECT sum(row_number() OVER (ORDER BY ts)) FROM r', 'INVALID_ARGUMENT', /only in the select list and ORDER BY/],
    ['SELECT sum(rank() OVER (ORDER BY ts)) OVER () FROM r', 'INVALID_ARGUMENT', /cannot be nested/],
    ["SELECT lag(dev, 1, 0) OVER (ORDER BY ts) FROM r", 'TYPE_MISMATCH', /lag\(\) default INT does not match its value's type STRING/],
    ['SELECT lag(v, 0.5) OVER (ORDER BY ts) FROM r', 'INVALID_ARGUMENT', /offset must be an integer, got 0.5/],
    ['SELECT count() OVER () FROM r', 'INVALID_ARGUMENT', /count\(\) takes one argument or \*, got none/],
  ] as const)('refuses %s', async (sql, code, message) => {
    await expectError(await fixture(), sql, code, message);
  });

  it('ntile, percent_rank, cume_dist and nth_value answer as PostgreSQL 15 does', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE w (id INT PRIMARY KEY, g INT, v FLOAT)');
    await session.execute('INSERT INTO w VALUES (1, 1, 1.5), (2, 1, 2.5), (3, 2, NULL), (4, 2, 4.0), (5, 1, 2.5), (6, 2, 7), (7, 1, 0)');
    const result = await session.execute('SELECT id, ntile(3) OVER (ORDER BY id), ntile(2) OVER (PARTITION BY g ORDER BY v NULLS FIRST, id), ' +
      'percent_rank() OVER (ORDER BY v), cume_dist() OVER (PARTITION BY g ORDER BY v), nth_value(v, 2) OVER (ORDER BY id), ' +
      'nth_value(id, 3) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), ntile(10) OVER (ORDER BY id), ' +
      'ntile(NULL) OVER () FROM w ORDER BY id');
    expect(rowsOf(result)).toEqual([
      [1, 1, 1, 1 / 6, 0.5, null, null, 1, null],
      [2, 1, 2, 1 / 3, 1, 2.5, 5, 2, null],
      [3, 1, 1, 1, 1, 2.5, null, 3, null],
      [4, 2, 1, 2 / 3, 1 / 3, 2.5, 6, 4, null],
      [5, 2, 2, 1 / 3, 1, 2.5, 7, 5, null],
      [6, 3, 2, 5 / 6, 2 / 3, 2.5, null, 6, null],
      [7, 3, 1, 0, 0.25, 2.5, null, 7, null],
    ]);
  });

  it('ntile reads its count once per partition, at the first row (PostgreSQL)', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE w (id INT PRIMARY KEY, g INT)');
    await session.execute('INSERT INTO w VALUES (1, 1), (2, 1), (3, 4), (4, 2), (5, 1), (6, 3), (7, 1), (8, 5)');
    expect(rowsOf(await session.execute('SELECT id, ntile(g) OVER (ORDER BY id) FROM w ORDER BY id'))).toEqual(
      [[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1], [7, 1], [8, 1]]);
    // A NULL count is read again on the next row; the buckets are sized over the whole partition.
    expect(rowsOf(await session.execute('SELECT id, ntile(CASE WHEN id = 1 THEN NULL ELSE 2 END) OVER (ORDER BY id) FROM w WHERE id <= 5 ORDER BY id')))
      .toEqual([[1, null], [2, 1], [3, 1], [4, 1], [5, 2]]);
  });

  it('names a window COUNT(*) as written', async () => {
    const result = await (await fixture()).execute("SELECT count(*) OVER (ORDER BY ts) FROM r WHERE dev = 'b'");
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['count(*) over (order by ts)']);
    expect(rowsOf(result)).toEqual([[1], [2], [3]]);
  });

  it('answers running, suffix and sliding frames over a 20,000-row partition', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE n (i INT PRIMARY KEY)');
    const n = 20_000;
    for (let start = 1; start <= n; start += 5_000) {
      await session.execute(`INSERT INTO n VALUES ${Array.from({ length: 5_000 }, (_, k) => `(${start + k})`).join(', ')}`);
    }
    const rows = rowsOf(await session.execute('SELECT i, sum(i) OVER (ORDER BY i), ' +
      'sum(i) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING), ' +
      'sum(i) OVER (ORDER BY i ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM n ORDER BY i'));
    expect(rows).toHaveLength(n);
    const total = (n * (n + 1)) / 2;
    for (const [i, prefix, suffix, sliding] of rows as [number, number, number, number][]) {
      expect(prefix).toBe((i * (i + 1)) / 2);
      expect(suffix).toBe(total - ((i - 1) * i) / 2);
      let window = 0;
      for (let k = Math.max(1, i - 2); k <= Math.min(n, i + 2); k++) window += k;
      expect(sliding).toBe(window);
    }
  });
});
