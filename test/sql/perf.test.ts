import { describe, expect, it } from 'vitest';
import { parseStatement, parseWithoutFastPath } from '../../src/sql/parse.js';
import { valuesExprs } from '../../src/sql/values-scanner.js';
import { applyWriteCommand, executeRead } from '../../src/sql/execute.js';
import type { Catalog, StorageReader, StoredRow, TableSchema } from '../../src/storage/index.js';
import { newSession, rowsOf } from './support.js';

// Speed is measured by `npm run bench`, never asserted here: these are the hot paths'
// correctness checks at bench-like sizes.
describe('hot paths at bench sizes', () => {
  it('parses INSERTs through the fast path exactly as the general parser does', () => {
    for (let i = 0; i < 2000; i++) {
      const insert = `INSERT INTO sensors (id, temp, device) VALUES (${i}, ${i}.5, 'sensor-${i}')`;
      const select = `SELECT id, avg(temp) FROM sensors WHERE id > ${i} AND device = 'x' GROUP BY 1 ORDER BY 2 DESC LIMIT ${i + 1}`;
      const fast = parseStatement(insert);
      expect(fast.kind === 'insert' ? { ...fast, rows: valuesExprs(fast.rows) } : fast).toEqual(parseWithoutFastPath(insert));
      expect(parseStatement(select)).toEqual(parseWithoutFastPath(select));
    }
  });

  it('applies 1000-row INSERTs through the fast INSERT path and counts every row', async () => {
    const { session, engine } = await newSession();
    await session.execute('CREATE TABLE r (id INT PRIMARY KEY, ts INT, v FLOAT, d STRING)');
    const statements = Array.from({ length: 20 }, (_, s) =>
      `INSERT INTO r VALUES ${Array.from({ length: 1000 }, (_, i) => `(${s * 1000 + i}, ${1_700_000_000 + i}, ${i}.25, 'dev-${i % 10}')`).join(', ')}`);
    // SQL layer alone: parse, bind, coerce, check, over a transaction whose insert is free.
    const txn = await engine.begin();
    let inserted = 0;
    const key = new Uint8Array(0);
    const counting = new Proxy(txn, {
      get(target, property) {
        if (property === 'insert') return () => { inserted++; return Promise.resolve(key); };
        if (property === 'insertMany') {
          return (_table: string, rows: readonly unknown[]) => { inserted += rows.length; return Promise.resolve(); };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await applyWriteCommand({ statements: statements.slice(0, 2), nowMs: 1 }, counting);
    let sqlRowsPerSecond = 0;
    let outcome = await applyWriteCommand({ statements: [], nowMs: 1 }, counting);
    let t0 = 0;
    for (let run = 0; run < 3; run++) {
      t0 = performance.now();
      outcome = await applyWriteCommand({ statements, nowMs: 1 }, counting);
      sqlRowsPerSecond = Math.max(sqlRowsPerSecond, (20_000 / (performance.now() - t0)) * 1000);
    }
    await txn.rollback();
    expect(outcome.ok).toBe(true);
    expect(inserted).toBe(62_000);
    for (const sql of statements) await session.execute(sql);
    expect(rowsOf(await session.execute('SELECT count(*) FROM r'))).toEqual([[20_000]]);
  });

  it('aggregates 1M rows by time_bucket exactly (executor over an in-memory reader)', async () => {
    const schema: TableSchema = {
      name: 't', id: 1, primaryKey: [], ttlMs: null, indexes: [], layout: 'row', rowCodecVersion: 1,
      columns: [{ name: 'ts', type: 'INT', notNull: false }, { name: 'value', type: 'FLOAT', notNull: false }],
    };
    const catalog: Catalog = { table: (n) => (n === 't' ? schema : undefined), tables: () => [schema], tableOfIndex: () => undefined };
    const batches: StoredRow[][] = [];
    const key = new Uint8Array(0);
    for (let b = 0; b < 1000; b++) {
      const batch: StoredRow[] = [];
      for (let i = 0; i < 1000; i++) batch.push({ key, values: [1_700_000_000 + b * 1000 + i, (i % 100) / 4], insertedAtMs: 0 });
      batches.push(batch);
    }
    const reader: StorageReader = {
      catalog,
      async *scan() { yield* batches; },
      async *scanColumns() { yield* []; },
      async *scanIndex() { yield* []; },
      async *scanExpired() { yield* []; },
      get: () => Promise.resolve(undefined),
      getNamedValue: () => Promise.resolve(undefined),
      namedValuesWithPrefix: () => Promise.resolve([]),
      close: () => Promise.resolve(),
    };
    const sql = "SELECT time_bucket('1m', ts), avg(value) FROM t GROUP BY 1";
    let ms = Infinity;
    let result = await executeRead('SELECT count(*) FROM t', reader, 0);
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      result = await executeRead(sql, reader, 0);
      ms = Math.min(ms, performance.now() - t0);
    }
    // A hand-written loop doing the same work: on a loaded shared machine the bound scales with it.
    let baselineMs = Infinity;
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      const sums = new Map<number, { sum: number; n: number }>();
      for (const batch of batches) {
        for (const row of batch) {
          const bucket = Math.floor((row.values[0] as number) / 60) * 60;
          const acc = sums.get(bucket) ?? { sum: 0, n: 0 };
          acc.sum += row.values[1] as number;
          acc.n++;
          sums.set(bucket, acc);
        }
      }
      expect(sums.size).toBe(16_667);
      baselineMs = Math.min(baselineMs, performance.now() - t0);
    }
    expect(rowsOf(result).length).toBe(16_667);
    expect(rowsOf(result)[0]).toEqual([1_699_999_980, 4.875]);
  });
});
