import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/sql/parse.js';
import { expectError, newSession, rowsOf, run } from './support.js';

async function fixture() {
  const env = await newSession();
  await run(env.session,
    'CREATE TABLE t (id INT PRIMARY KEY, name STRING NOT NULL, hits INT, v FLOAT)',
    "INSERT INTO t VALUES (1, 'a', 1, 1.5), (2, 'b', 0, NULL)",
    'CREATE TABLE pair (device STRING, ts INT, v FLOAT, PRIMARY KEY (device, ts))',
    "INSERT INTO pair VALUES ('d', 1, 1.0)",
    'CREATE TABLE log (name STRING)');
  return env;
}

describe('INSERT ... ON CONFLICT', () => {
  it.each([
    ["INSERT INTO t VALUES (1, 'x', 5, 0), (3, 'c', 0, 0) ON CONFLICT (id) DO NOTHING",
      'Inserted into t (1 new, 1 skipped on conflict)', 1, [[1, 'a', 1, 1.5], [2, 'b', 0, null], [3, 'c', 0, 0]]],
    ["INSERT INTO t VALUES (2, 'x', 5, 0) ON CONFLICT DO NOTHING",
      'Inserted into t (0 new, 1 skipped on conflict)', 0, [[1, 'a', 1, 1.5], [2, 'b', 0, null]]],
    ["INSERT INTO t VALUES (3, 'c', 0, 0), (3, 'd', 0, 0) ON CONFLICT (id) DO NOTHING",
      'Inserted into t (1 new, 1 skipped on conflict)', 1, [[1, 'a', 1, 1.5], [2, 'b', 0, null], [3, 'c', 0, 0]]],
    ["INSERT INTO t VALUES (1, 'z', 7, 2.5), (4, 'd', 1, 1) ON CONFLICT (id) DO UPDATE SET name = excluded.name, hits = t.hits + excluded.hits",
      'Inserted into t (1 new, 1 updated, 0 skipped on conflict)', 2, [[1, 'z', 8, 1.5], [2, 'b', 0, null], [4, 'd', 1, 1]]],
    ["INSERT INTO t (id, name) VALUES (2, 'q') ON CONFLICT (id) DO UPDATE SET v = excluded.v, hits = 9",
      'Inserted into t (0 new, 1 updated, 0 skipped on conflict)', 1, [[1, 'a', 1, 1.5], [2, 'b', 9, null]]],
    ["INSERT INTO t VALUES (1, 'x', 1, 9), (2, 'y', 1, 9) ON CONFLICT (id) DO UPDATE SET v = excluded.v WHERE t.hits > 0",
      'Inserted into t (0 new, 1 updated, 1 skipped on conflict)', 1, [[1, 'a', 1, 9], [2, 'b', 0, null]]],
    ["INSERT INTO t SELECT id, name || '!', hits + 1, v FROM t ON CONFLICT (id) DO UPDATE SET name = excluded.name",
      'Inserted into t (0 new, 2 updated, 0 skipped on conflict)', 2, [[1, 'a!', 1, 1.5], [2, 'b!', 0, null]]],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE SET id = 10",
      'Inserted into t (0 new, 1 updated, 0 skipped on conflict)', 1, [[2, 'b', 0, null], [10, 'a', 1, 1.5]]],
  ] as const)('%s', async (sql, message, affected, rows) => {
    const { session } = await fixture();
    expect(await session.execute(sql)).toEqual({ kind: 'message', message, rowsAffected: affected });
    expect(rowsOf(await session.execute('SELECT * FROM t ORDER BY id'))).toEqual(rows);
  });

  it('a composite key names its columns in any order; a table without a key just inserts', async () => {
    const { session } = await fixture();
    await run(session,
      "INSERT INTO pair VALUES ('d', 1, 5.0), ('d', 2, 2.0) ON CONFLICT (ts, device) DO UPDATE SET v = pair.v + excluded.v",
      "INSERT INTO log VALUES ('a'), ('a') ON CONFLICT DO NOTHING");
    expect(rowsOf(await session.execute('SELECT * FROM pair'))).toEqual([['d', 1, 6], ['d', 2, 2]]);
    expect(rowsOf(await session.execute('SELECT count(*) FROM log'))).toEqual([[2]]);
  });

  it.each([
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (name) DO NOTHING", 'INVALID_ARGUMENT',
      'ON CONFLICT (name) must name the primary key of t, which has primary key (id); other columns are not unique'],
    ["INSERT INTO log VALUES ('x') ON CONFLICT (name) DO UPDATE SET name = 'y'", 'INVALID_ARGUMENT',
      'ON CONFLICT (name) must name the primary key of log, which has no primary key; other columns are not unique'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (zz) DO NOTHING", 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE SET hits = hits + 1", 'AMBIGUOUS_COLUMN',
      'Column reference hits is ambiguous (in t, excluded)'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0), (1, 'y', 0, 0) ON CONFLICT (id) DO UPDATE SET name = excluded.name", 'INVALID_ARGUMENT',
      'ON CONFLICT DO UPDATE would change a row of t a second time in one statement; remove the duplicate keys from the inserted rows'],
    ["INSERT INTO t VALUES (3, 'x', 0, 0), (3, 'y', 0, 0) ON CONFLICT (id) DO UPDATE SET name = excluded.name", 'INVALID_ARGUMENT',
      /a second time in one statement/],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE SET name = NULL", 'NOT_NULL_VIOLATION',
      'NULL value in column t.name violates NOT NULL'],
    ["INSERT INTO t VALUES (1, NULL, 0, 0) ON CONFLICT (id) DO NOTHING", 'NOT_NULL_VIOLATION', 'NULL value in column t.name violates NOT NULL'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE SET id = 2", 'DUPLICATE_KEY', 'duplicate primary key (2) in table t'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE SET hits = count(*)", 'INVALID_ARGUMENT',
      'Aggregate count(*) is not allowed in ON CONFLICT'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT DO UPDATE SET hits = 1", 'PARSE_ERROR',
      /ON CONFLICT DO UPDATE needs a conflict target/],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING", 'UNSUPPORTED',
      'Unsupported: ON CONFLICT ON CONSTRAINT'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) WHERE hits > 0 DO NOTHING", 'UNSUPPORTED',
      'Unsupported: ON CONFLICT (...) WHERE (a partial index target)'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO NOTHING RETURNING id", 'UNSUPPORTED', 'Unsupported: RETURNING'],
    ["INSERT OR REPLACE INTO t VALUES (1, 'x', 0, 0)", 'UNSUPPORTED', 'Unsupported: INSERT OR REPLACE (use INSERT ... ON CONFLICT)'],
    ["INSERT INTO t VALUES (1, 'x', 0, 0) ON DUPLICATE KEY UPDATE hits = 1", 'UNSUPPORTED',
      'Unsupported: ON DUPLICATE KEY UPDATE (use ON CONFLICT (key) DO UPDATE)'],
  ] as const)('%s fails with %s and changes nothing', async (sql, code, message) => {
    const { session } = await fixture();
    await expectError(session, sql, code, message);
    expect(rowsOf(await session.execute('SELECT * FROM t ORDER BY id'))).toEqual([[1, 'a', 1, 1.5], [2, 'b', 0, null]]);
  });

  it('a subquery in DO UPDATE SET is answered before the statement runs', async () => {
    const { session } = await fixture();
    await run(session, "INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE SET hits = (SELECT max(hits) FROM t) + 100");
    expect(rowsOf(await session.execute('SELECT hits FROM t WHERE id = 1'))).toEqual([[101]]);
  });

  it.each([
    ['SET hits = (SELECT count(*) FROM log WHERE name = t.name)', 't.name'],
    ['SET hits = (SELECT count(*) FROM log WHERE name = excluded.name)', 'excluded.name'],
    ['SET hits = 1 WHERE EXISTS (SELECT 1 FROM log WHERE log.name = CAST(hits AS TEXT))', 'hits'],
  ])('refuses by name a subquery in DO UPDATE that names the conflicting row: %s', async (clause, named) => {
    // It failed with "Unknown table t (in a subquery)", though t is the table written.
    const { session } = await fixture();
    const error = await session.execute(`INSERT INTO t VALUES (1, 'x', 0, 0) ON CONFLICT (id) DO UPDATE ${clause}`)
      .then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNSUPPORTED' });
    expect(String((error as Error).message)).toContain(`names the conflicting row (${named})`);
  });

  it("keeps the latest reading per device (the reference's example)", async () => {
    const { session } = await newSession();
    const upsert = (ts: number, temp: number) => `INSERT INTO latest (device, ts, temp) VALUES ('d1', ${ts}, ${temp}) ` +
      'ON CONFLICT (device) DO UPDATE SET ts = excluded.ts, temp = excluded.temp WHERE excluded.ts > latest.ts';
    await run(session, 'CREATE TABLE latest (device STRING PRIMARY KEY, ts INT, temp FLOAT)',
      upsert(1700000000, 21.5), upsert(1700000060, 22), upsert(1700000030, 99));
    expect(rowsOf(await session.execute('SELECT * FROM latest'))).toEqual([['d1', 1700000060, 22]]);
  });

  it('parses into the AST', () => {
    expect(parseStatement("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET a = excluded.a WHERE t.a < 3")).toMatchObject({
      kind: 'insert', onConflict: { target: ['id'], action: 'update', assignments: [{ column: 'a' }], where: { kind: 'binary', op: '<' } },
    });
  });
});
