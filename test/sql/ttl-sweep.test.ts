import { describe, expect, it } from 'vitest';
import { sweepExpired } from '../../src/sql/ttl-sweep.js';
import { applyWriteCommand } from '../../src/sql/execute.js';
import { memoryEngine, newSession, rowsOf } from './support.js';

const T0 = 1_700_000_000_000;

describe('TTL pass', () => {
  it('deletes exactly the rows whose insert time + TTL has passed, in every TTL table', async () => {
    const engine = await memoryEngine();
    const apply = async (nowMs: number, ...statements: string[]): Promise<void> => {
      const txn = await engine.begin();
      const outcome = await applyWriteCommand({ statements, nowMs }, txn);
      expect(outcome.ok).toBe(true);
      await txn.commit(engine.appliedIndex + 1);
    };
    await apply(T0, 'CREATE TABLE short (id INT PRIMARY KEY) WITH TTL=10s', 'CREATE TABLE plain (id INT)',
      'CREATE TABLE nokey (v STRING) WITH TTL=1m', 'CREATE INDEX short_id ON short (id)');
    await apply(T0, 'INSERT INTO short VALUES (1), (2)', 'INSERT INTO plain VALUES (1)', "INSERT INTO nokey VALUES ('a')");
    await apply(T0 + 5_000, 'INSERT INTO short VALUES (3)');
    const sweep = async (nowMs: number): Promise<number> => {
      const txn = await engine.begin();
      const deleted = await sweepExpired(txn, nowMs);
      await txn.commit(engine.appliedIndex + 1);
      return deleted;
    };
    expect(await sweep(T0 + 9_999)).toBe(0);
    expect(await sweep(T0 + 10_000)).toBe(2); // inserted at T0, TTL 10 s: expired at T0 + 10 s
    expect(await sweep(T0 + 14_999)).toBe(0);
    expect(await sweep(T0 + 60_000)).toBe(2); // row 3 (T0 + 5 s) and the 1-minute table's row
    const reader = await engine.reader();
    const count = async (table: string, index?: string): Promise<number> => {
      let n = 0;
      const rows = index === undefined ? reader.scan(table) : reader.scanIndex(table, index);
      for await (const batch of rows) n += batch.length;
      return n;
    };
    expect(await count('short')).toBe(0);
    expect(await count('short', 'short_id')).toBe(0); // index entries went with the rows
    expect(await count('plain')).toBe(1);
    expect(await count('nokey')).toBe(0);
    await reader.close();
    await engine.close();
  });

  it('runs through the single-node executor as one queued write', async () => {
    const { session, executor, clock } = await newSession(T0);
    await session.execute('CREATE TABLE r (v INT) WITH TTL=1s');
    await session.execute('INSERT INTO r VALUES (1), (2)');
    clock.set(T0 + 500);
    await session.execute('INSERT INTO r VALUES (3)');
    clock.set(T0 + 1_000);
    expect(await executor.sweepExpired()).toBe(2);
    expect(rowsOf(await session.execute('SELECT v FROM r'))).toEqual([[3]]);
  });
});
