import { describe, expect, it } from 'vitest';
import { sweepExpired } from '../../src/sql/ttl-sweep.js';
import { applyWriteCommand } from '../../src/sql/execute.js';
import { Random } from '../../src/lib/index.js';
import type { StorageEngine } from '../../src/storage/index.js';
import { executeRead } from '../../src/sql/index.js';
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
      const { deleted, bounded } = await sweepExpired(txn, nowMs);
      expect(bounded).toBe(false);
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

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('in bounded passes deletes what one whole pass does, the first to expire first (seed %i)', async (seed) => {
    const rng = new Random(seed);
    const engines = [await memoryEngine(), await memoryEngine()];
    const apply = async (engine: StorageEngine, nowMs: number, ...statements: string[]): Promise<void> => {
      const txn = await engine.begin();
      expect((await applyWriteCommand({ statements, nowMs }, txn)).ok).toBe(true);
      await txn.commit(engine.appliedIndex + 1);
    };
    for (const engine of engines) {
      await apply(engine, T0, 'CREATE TABLE a (id INT PRIMARY KEY, v INT) WITH TTL=10s', 'CREATE TABLE b (v INT) WITH TTL=20s',
        'CREATE INDEX a_v ON a (v)');
    }
    const ids: { id: number; expiresMs: number }[] = [];
    for (let step = 0; step < 12; step++) {
      const count = rng.between(1, 6);
      for (let i = 0; i < count; i++) ids.push({ id: step * 10 + i, expiresMs: T0 + step * 1_000 + 10_000 });
      const rows = Array.from({ length: count }, (_, i) => `(${step * 10 + i}, ${rng.between(0, 3)})`).join(', ');
      for (const engine of engines) await apply(engine, T0 + step * 1_000, `INSERT INTO a VALUES ${rows}`, `INSERT INTO b VALUES (${step})`);
    }
    const nowMs = T0 + rng.between(10_000, 40_000);
    const [whole, bounded] = engines as [StorageEngine, StorageEngine];
    const txn = await whole.begin();
    const expected = (await sweepExpired(txn, nowMs)).deleted;
    await txn.commit(whole.appliedIndex + 1);
    const rowsMax = rng.between(1, 7);
    let deleted = 0;
    for (let pass = 0; pass < 200; pass++) {
      const passTxn = await bounded.begin();
      const outcome = await sweepExpired(passTxn, nowMs, rowsMax);
      await passTxn.commit(bounded.appliedIndex + 1);
      expect(outcome.deleted).toBe(Math.min(rowsMax, expected - deleted));
      deleted += outcome.deleted;
      if (!outcome.bounded) break;
      // The passes took table a's rows first (name order), those that expire first, then b's.
      const expiredInA = ids.filter((row) => row.expiresMs <= nowMs).length;
      expect(await reads(bounded, 'SELECT min(id) FROM a')).toEqual(JSON.stringify([[ids[Math.min(deleted, expiredInA)]?.id ?? null]]));
      const goneFromB = Math.max(0, deleted - expiredInA);
      expect(await reads(bounded, 'SELECT min(v) FROM b')).toEqual(JSON.stringify([[goneFromB < 12 ? goneFromB : null]]));
    }
    expect(deleted).toBe(expected);
    for (const sql of ['SELECT count(*), sum(v) FROM a', 'SELECT count(*) FROM b', 'SELECT count(*) FROM a WHERE v >= 0']) {
      expect(await reads(bounded, sql)).toEqual(await reads(whole, sql));
    }
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

/** The first value of `sql`'s first row over `engine`. */
async function reads(engine: StorageEngine, sql: string): Promise<unknown> {
  const reader = await engine.reader();
  try {
    const result = await executeRead(sql, reader, T0);
    return result.kind === 'rows' ? JSON.stringify(result.rows) : null;
  } finally {
    await reader.close();
  }
}
