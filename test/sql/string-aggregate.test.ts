import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import { executeRead } from '../../src/sql/execute.js';
import { expectError, expectInBothLayouts, newSession, rowsOf } from './support.js';

const TABLE = 'CREATE TABLE r (dev STRING, ts INT, v FLOAT, n INT, PRIMARY KEY (dev, ts))';
const ROWS = "INSERT INTO r VALUES ('a', 1, 1.5, 7), ('a', 2, NULL, NULL), ('a', 3, 2.5, 1), ('b', 4, 4, 9), ('b', 5, 7, NULL)";

describe('string_agg and group_concat', () => {
  it.each([
    ["SELECT string_agg(dev, ',' ORDER BY ts DESC) FROM r", [['b,b,a,a,a']]],
    // group_concat shows any value as text (FLOATs as CAST to TEXT does) and defaults to ','.
    ['SELECT group_concat(ts ORDER BY ts), group_concat(v ORDER BY ts), group_concat(n ORDER BY n) FROM r', [['1,2,3,4,5', '1.5,2.5,4,7', '1,7,9']]],
    ["SELECT dev, string_agg(dev || CAST(ts AS TEXT), ' | ' ORDER BY v DESC NULLS FIRST, ts) FROM r GROUP BY dev ORDER BY dev", [['a', 'a2 | a3 | a1'], ['b', 'b5 | b4']]],
    ["SELECT group_concat(n, '-' ORDER BY n DESC NULLS FIRST) FROM r", [['9-7-1']]],
    // A NULL separator is '': each value after the first gets its own row's separator.
    ["SELECT group_concat(ts, NULL ORDER BY ts), group_concat(ts, dev ORDER BY ts DESC) FROM r", [['12345', '5b4a3a2a1']]],
    ["SELECT string_agg(DISTINCT dev, ';' ORDER BY dev DESC) FROM r", [['b;a']]],
    ["SELECT string_agg(dev, ',') FROM r WHERE ts > 9", [[null]]],
    ["SELECT dev, group_concat(ts ORDER BY ts) FILTER (WHERE n IS NOT NULL) FROM r GROUP BY dev ORDER BY dev", [['a', '1,3'], ['b', '4']]],
  ] as const)('%s', async (sql, expected) => {
    await expectInBothLayouts(TABLE, ROWS, sql, expected);
  });

  it('names columns as written', async () => {
    const { session } = await newSession();
    await session.execute(TABLE);
    const result = await session.execute("SELECT group_concat(ts), string_agg(dev, '-' ORDER BY ts DESC NULLS LAST) FROM r");
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['group_concat(ts)', "string_agg(dev, '-' order by ts desc nulls last)"]);
  });

  it.each([
    ["SELECT string_agg(ts, ',') FROM r", 'TYPE_MISMATCH', /string_agg\(\) needs a STRING, got INT \(cast it, or use group_concat\)/],
    ['SELECT string_agg(dev) FROM r', 'INVALID_ARGUMENT', /string_agg\(\) takes a value and a separator; got 1 argument/],
    ["SELECT group_concat(dev, ',', 'x') FROM r", 'INVALID_ARGUMENT', /group_concat\(\) takes a value and, optionally, a separator; got 3 arguments/],
    ['SELECT group_concat(dev, 1) FROM r', 'TYPE_MISMATCH', /group_concat\(\) separator must be a STRING, got INT/],
    ["SELECT string_agg(DISTINCT dev, ',' ORDER BY ts) FROM r", 'INVALID_ARGUMENT', /in string_agg\(DISTINCT \.\.\.\), ORDER BY may only name the value/],
    ['SELECT sum(n ORDER BY ts) FROM r', 'UNSUPPORTED', /ORDER BY inside sum\(\) \(string_agg and group_concat take one\)/],
    ["SELECT string_agg(dev, ',') OVER () FROM r", 'UNSUPPORTED', /string_agg\(\) as a window function/],
    ["SELECT group_concat(max(dev)) FROM r", 'INVALID_ARGUMENT', /cannot be nested/],
    ["SELECT group_concat(dev ORDER BY max(ts)) FROM r", 'INVALID_ARGUMENT', /cannot be nested/],
  ] as const)('refuses %s', async (sql, code, message) => {
    const { session } = await newSession();
    await session.execute(TABLE);
    await expectError(session, sql, code, message);
  });

  it('orders thousands of values a slice at a time, and counts them against the rows held', async () => {
    const { session, engine } = await newSession();
    await session.execute('CREATE TABLE many (id INT PRIMARY KEY, g INT)');
    const ids = Array.from({ length: 6000 }, (_, i) => i + 1);
    await session.execute(`INSERT INTO many VALUES ${ids.map((id) => `(${id}, ${id % 3})`).join(', ')}`);
    const [[joined]] = rowsOf(await session.execute("SELECT group_concat(id, ' ' ORDER BY g DESC, id DESC) FROM many")) as [[string]];
    const expected = [2, 1, 0].flatMap((g) => ids.filter((id) => id % 3 === g).reverse());
    expect(joined).toBe(expected.join(' '));
    const txn = await engine.begin();
    try {
      const limits = { timeoutMs: Infinity, maxMaterializedRows: 5000 };
      await expect(executeRead('SELECT g, count(*) FROM many GROUP BY g', txn, 0, limits)).resolves.toBeDefined();
      const error: unknown = await executeRead("SELECT g, string_agg('x', ',') FROM many GROUP BY g", txn, 0, limits).catch((e: unknown) => e);
      expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
      // Without GROUP BY the cap counts the values kept, exactly: 5,000 of them go, and the error names them.
      const exactly = { ...limits, maxMaterializedRows: 6000 };
      await expect(executeRead("SELECT length(string_agg('x', ',')) FROM many", txn, 0, exactly)).resolves.toBeDefined();
      const past: unknown = await executeRead("SELECT length(string_agg('x', ',')) FROM many", txn, 0, limits).catch((e: unknown) => e);
      expect(String(past)).toMatch(/the aggregation \(values string_agg and the like keep\) holds more than 5000 rows/);
    } finally {
      await txn.rollback();
    }
  });

  it('is DISTINCT over the value and its separator, as PostgreSQL is', async () => {
    const { session } = await newSession();
    const rows = await session.execute("SELECT string_agg(DISTINCT x, sep) FROM (SELECT 'a' AS x, ',' AS sep UNION ALL SELECT 'a', ';' UNION ALL SELECT 'a', ',') d");
    expect(rowsOf(rows)).toEqual([['a;a']]);
  });

  it('refuses a result past the string limit before building it', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE big (id INT PRIMARY KEY, s STRING)');
    await session.execute(`INSERT INTO big VALUES (1, repeat('x', 9000000)), (2, repeat('y', 9000000))`);
    await expectError(session, "SELECT string_agg(s, '') FROM big", 'LIMIT_EXCEEDED', /string_agg\(\) would make a string of 18000000 characters/);
  });
});

describe('string_agg across groups', () => {
  it('ends with LIMIT_EXCEEDED past 256 Mi characters over all groups, each under its own limit', async () => {
    const { session } = await newSession();
    const sql = "SELECT length(string_agg(lpad(CAST(g AS TEXT), 1000000, 'x'), ',')) FROM generate_series(1, 300) g GROUP BY g % 150";
    const error = await session.execute(sql).then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/^string_agg\(\) would hold more than 268435456 characters across its groups/);
    const fits = "SELECT count(*) FROM (SELECT string_agg(lpad(CAST(g AS TEXT), 1000000, 'x'), ',') AS s FROM generate_series(1, 100) g GROUP BY g % 50) d";
    expect(rowsOf(await session.execute(fits))).toEqual([[50]]);
  });
});
