import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/sql/parse.js';
import { expectError, newSession, rowsOf } from './support.js';

describe('CREATE TABLE ... WITH options', () => {
  it.each([
    ["CREATE TABLE t (ts INT) WITH (layout = 'columnar')", { ttlMs: null, layout: 'columnar' }],
    ['CREATE TABLE t (ts INT) WITH layout = columnar', { ttlMs: null, layout: 'columnar' }],
    ["CREATE TABLE t (ts INT) WITH (TTL = 7d, layout = 'row')", { ttlMs: 7 * 86_400_000, layout: 'row' }],
    ['create table t (ts int) with (layout columnar, ttl 1h)', { ttlMs: 3_600_000, layout: 'columnar' }],
    ['CREATE TABLE t (ts INT) WITH TTL=30s', { ttlMs: 30_000, layout: null }],
    ['CREATE TABLE t (ts INT)', { ttlMs: null, layout: null }],
  ] as const)('%s', (sql, expected) => {
    expect(parseStatement(sql)).toMatchObject(expected);
  });

  it.each([
    ["CREATE TABLE t (ts INT) WITH (layout = 'blocks')", 'INVALID_ARGUMENT', "Unknown table layout 'blocks': expected 'row' or 'columnar'"],
    ['CREATE TABLE t (ts INT) WITH (layout = row, layout = columnar)', 'PARSE_ERROR', /LAYOUT given twice/],
    ['CREATE TABLE t (ts INT) WITH (fillfactor = 70)', 'PARSE_ERROR', /expected a table option \(TTL or layout\), found 'fillfactor'/],
    ['CREATE TABLE t (ts INT) WITH (layout = row', 'PARSE_ERROR', /expected '\)'/],
    ['CREATE TABLE t (ts INT) WITH layout = row, ttl = 1d', 'PARSE_ERROR', /unexpected ','/],
  ] as const)('refuses %s', async (sql, code, message) => {
    const { session } = await newSession();
    await expectError(session, sql, code, message);
  });

  it('keeps a table where it was asked to, shown by SHOW TABLES, and answers alike on both layouts', async () => {
    const { session } = await newSession();
    await session.execute("CREATE TABLE c (dev STRING, ts INT, v FLOAT, PRIMARY KEY (dev, ts)) WITH (layout = 'columnar')");
    await session.execute('CREATE TABLE r (dev STRING, ts INT, v FLOAT, PRIMARY KEY (dev, ts)) WITH (layout = row)');
    expect(rowsOf(await session.execute('SHOW TABLES')).map((row) => [row[0], row[4]])).toEqual([['c', 'columnar'], ['r', 'row']]);
    for (const table of ['c', 'r']) {
      const values = Array.from({ length: 3000 }, (_, i) => `('d${i % 3}', ${i}, ${(i % 100) / 4})`).join(', ');
      await session.execute(`INSERT INTO ${table} VALUES ${values}`);
      await session.execute(`UPDATE ${table} SET v = -1 WHERE ts % 7 = 0`);
      await session.execute(`DELETE FROM ${table} WHERE dev = 'd1' AND ts < 1500`);
    }
    const query = (table: string): string =>
      `SELECT dev, time_bucket('5m', ts) AS b, count(*), sum(v), min(v), max(ts) FROM ${table} GROUP BY dev, b ORDER BY dev, b`;
    expect(rowsOf(await session.execute(query('c')))).toEqual(rowsOf(await session.execute(query('r'))));
  });
});
