import { describe, expect, it } from 'vitest';
import { applyWriteCommand } from '../../src/sql/execute.js';
import { isChronosError } from '../../src/lib/index.js';
import { memoryEngine, newSession, rowsOf, run } from './support.js';

describe('BEGIN / COMMIT / ROLLBACK', () => {
  it('commits all buffered statements as one command', async () => {
    const { session, engine } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    // A write is answered while its batch is stored; a read waits for the stored index.
    await run(session, 'SELECT COUNT(*) FROM t');
    const before = engine.appliedIndex;
    expect(await session.execute('BEGIN')).toEqual({ kind: 'message', message: 'Transaction started', rowsAffected: 0 });
    expect(session.inTransaction).toBe(true);
    await run(session, 'INSERT INTO t VALUES (1, 10)', 'INSERT INTO t VALUES (2, 20)');
    expect(await session.execute('UPDATE t SET v = v + 1')).toEqual({ kind: 'message', message: 'Updated 2 rows in t', rowsAffected: 2 });
    // The transaction sees its own writes; nothing is committed yet.
    expect(rowsOf(await session.execute('SELECT id, v FROM t'))).toEqual([[1, 11], [2, 21]]);
    expect(engine.appliedIndex).toBe(before);
    expect(await session.execute('COMMIT;')).toEqual({ kind: 'message', message: 'Transaction committed', rowsAffected: 4 });
    expect(rowsOf(await session.execute('SELECT v FROM t'))).toEqual([[11], [21]]);
    expect(engine.appliedIndex).toBe(before + 1);
  });

  it('ROLLBACK discards everything', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY)', 'BEGIN TRANSACTION', 'INSERT INTO t VALUES (1)', 'DELETE FROM t');
    expect(await session.execute('ROLLBACK')).toEqual({ kind: 'message', message: 'Transaction rolled back', rowsAffected: 0 });
    expect(rowsOf(await session.execute('SELECT count(*) FROM t'))).toEqual([[0]]);
  });

  it('a failing statement inside a transaction is refused at once and not buffered', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY)', 'BEGIN', 'INSERT INTO t VALUES (1)');
    await expect(session.execute('INSERT INTO t VALUES (1)')).rejects.toSatisfy((e: unknown) => isChronosError(e, 'DUPLICATE_KEY'));
    await run(session, 'INSERT INTO t VALUES (2)', 'COMMIT');
    expect(rowsOf(await session.execute('SELECT id FROM t'))).toEqual([[1], [2]]);
  });

  it('BEGIN twice is an error', async () => {
    const { session } = await newSession();
    await run(session, 'BEGIN');
    await expect(session.execute('BEGIN')).rejects.toSatisfy((e: unknown) => isChronosError(e, 'TRANSACTION_STATE'));
  });

  it('a COMMIT that conflicts with a concurrent write applies nothing', async () => {
    const { session, executor } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY)', 'BEGIN', 'INSERT INTO t VALUES (5)', 'INSERT INTO t VALUES (1)');
    await executor.write(['INSERT INTO t VALUES (1)']);
    await expect(session.execute('COMMIT')).rejects.toSatisfy((e: unknown) => isChronosError(e, 'DUPLICATE_KEY'));
    expect(session.inTransaction).toBe(false);
    expect(rowsOf(await session.execute('SELECT id FROM t'))).toEqual([[1]]);
  });
});

describe('applyWriteCommand', () => {
  it('applies all statements or none, leaving the transaction as before', async () => {
    const engine = await memoryEngine();
    const txn = await engine.begin();
    const ok = await applyWriteCommand({ statements: ['CREATE TABLE t (id INT PRIMARY KEY)', 'INSERT INTO t VALUES (1)'], nowMs: 1 }, txn);
    expect(ok.ok).toBe(true);
    const bad = await applyWriteCommand({ statements: ['INSERT INTO t VALUES (2)', 'INSERT INTO t VALUES (1)'], nowMs: 1 }, txn);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('DUPLICATE_KEY');
    const ddl = await applyWriteCommand({ statements: ['CREATE TABLE u (a INT)', 'SELEC'], nowMs: 1 }, txn);
    expect(ddl.ok).toBe(false);
    await txn.commit(engine.appliedIndex + 1);
    const reader = await engine.reader();
    expect(reader.catalog.table('u')).toBeUndefined();
    const rows: unknown[] = [];
    for await (const b of reader.scan('t')) rows.push(...b.map((r) => r.values));
    expect(rows).toEqual([[1]]);
    await reader.close();
  });

  it('is deterministic: the same command on the same state gives the same rows', async () => {
    const cmd = { statements: ['CREATE TABLE t (ts INT, v FLOAT)', 'INSERT INTO t VALUES (now(), 1.5)', 'UPDATE t SET ts = ts + 1'], nowMs: 1_234_567_000 };
    const results: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const engine = await memoryEngine();
      const txn = await engine.begin();
      results.push(await applyWriteCommand(cmd, txn));
      await txn.commit(1);
      const reader = await engine.reader();
      for await (const b of reader.scan('t')) results.push(b.map((r) => [r.values, r.insertedAtMs]));
      await reader.close();
    }
    expect(results[0]).toEqual(results[2]);
    expect(results[1]).toEqual([[[1_234_568, 1.5], 1_234_567_000]]);
    expect(results[1]).toEqual(results[3]);
  });
});

describe('single-node group commit', () => {
  it('concurrent writes share fsyncs of the log, each atomic on its own', async () => {
    const { session, executor, engine } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY)');
    const before = engine.appliedIndex;
    const syncsBefore = executor.walStats.fileSyncs;
    const writes = Array.from({ length: 50 }, (_, i) => executor.write([`INSERT INTO t VALUES (${i})`]));
    const dup = executor.write(['INSERT INTO t VALUES (1000)', 'INSERT INTO t VALUES (3)']);
    const results = await Promise.all(writes);
    await expect(dup).rejects.toSatisfy((e: unknown) => isChronosError(e, 'DUPLICATE_KEY'));
    expect(results.every((r) => r[0]?.kind === 'message')).toBe(true);
    expect(rowsOf(await session.execute('SELECT count(*), min(id), max(id) FROM t'))).toEqual([[50, 0, 49]]);
    // One log entry per write; the writes that arrived during an fsync rode the next one.
    expect(engine.appliedIndex - before).toBe(51);
    expect(executor.walStats.fileSyncs - syncsBefore).toBeLessThan(20);
    expect(executor.walStats.fileSyncs - syncsBefore).toBeGreaterThan(0);
  });

  it('AVG_1H/AVG_24H/AVG_7D only see rows inserted in their window', async () => {
    const hour = 3_600_000;
    const { session, clock } = await newSession(100 * 24 * hour);
    await run(session, 'CREATE TABLE m (v FLOAT)');
    const base = 100 * 24 * hour;
    for (const [ageMs, v] of [[10 * 24 * hour, 1000], [3 * 24 * hour, 100], [5 * hour, 10], [60_000, 1]] as const) {
      clock.set(base - ageMs);
      await session.execute(`INSERT INTO m VALUES (${v})`);
    }
    clock.set(base);
    expect(rowsOf(await session.execute('SELECT avg_1h(v), avg_24h(v), avg_7d(v), avg(v) FROM m'))).toEqual([[1, 5.5, 37, 277.75]]);
  });
});
