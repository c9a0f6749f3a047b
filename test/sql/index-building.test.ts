import { describe, expect, it } from 'vitest';
import { executeRead, executeInTransaction, INDEX_BUILDING_NOTE } from '../../src/sql/index.js';
import type { StatementResult } from '../../src/sql/index.js';
import { INDEX_BUILD_ROWS_PER_PASS, openStorage } from '../../src/storage/index.js';
import type { StorageEngine } from '../../src/storage/index.js';
import { newMemoryLevel } from '../storage/backends.js';
import { testLayout } from '../helpers/test-layout.js';
import { newSession, run } from './support.js';

async function read(engine: StorageEngine, sql: string): Promise<StatementResult> {
  const reader = await engine.reader();
  try {
    return await executeRead(sql, reader, 0);
  } finally {
    await reader.close();
  }
}

async function write(engine: StorageEngine, sql: string, at: number): Promise<StatementResult> {
  const tx = await engine.begin();
  const result = await executeInTransaction(sql, tx, 0);
  await tx.commit(at);
  return result;
}

const rowsOf = (result: StatementResult): unknown[][] => (result.kind === 'rows' ? result.rows.map((row) => [...row]) : []);

/**
 * A CREATE INDEX over more rows than one pass indexes answers at once, says the rest is built in
 * the background, and reads neither use the index nor miss rows until the last pass is applied.
 */
describe.skipIf(testLayout().layout !== undefined)('an index still being built', () => {
  it('is shown as building, left out of plans, and used once built', async () => {
    const engine = await openStorage({ level: newMemoryLevel() });
    const rows = INDEX_BUILD_ROWS_PER_PASS + 2_500;
    await write(engine, 'CREATE TABLE t (id INT PRIMARY KEY, g INT, v FLOAT)', 1);
    const tx = await engine.begin();
    await tx.insertMany('t', Array.from({ length: rows }, (_, i) => [i, i % 50, i / 4]), 0);
    await tx.commit(2);

    const created = await write(engine, 'CREATE INDEX by_g ON t (g)', 3);
    expect(created).toMatchObject({ kind: 'message', message: `Index by_g created${INDEX_BUILDING_NOTE}`, rowsAffected: 0 });
    expect(rowsOf(await read(engine, 'DESCRIBE t'))[1]).toEqual(['g', 'INT', false, null, 'by_g (building)']);
    expect(rowsOf(await read(engine, 'EXPLAIN SELECT id FROM t WHERE g = 7')).flat()).toEqual(['Filter g = 7', '  FULL SCAN t']);
    // Rows past the first pass are answered from the table, not from the half-built index.
    expect(rowsOf(await read(engine, 'SELECT count(*) FROM t WHERE g = 49'))).toEqual([[rows / 50]]);

    await write(engine, 'UPDATE t SET g = 49 WHERE id = 0', 4);
    const step = await engine.begin();
    expect(await step.buildIndexStep(INDEX_BUILD_ROWS_PER_PASS)).toEqual({ table: 't', index: 'by_g', indexed: 2_500, done: true });
    await step.commit(5);
    expect(rowsOf(await read(engine, 'DESCRIBE t'))[1]).toEqual(['g', 'INT', false, null, 'by_g']);
    expect(rowsOf(await read(engine, 'EXPLAIN SELECT id FROM t WHERE g = 7')).flat().join('\n')).toMatch(/INDEX RANGE t.by_g /);
    expect(rowsOf(await read(engine, 'SELECT count(*) FROM t WHERE g = 49'))).toEqual([[rows / 50 + 1]]);
    await engine.close();
  });

  it('answers a CREATE INDEX that one pass covers as before', async () => {
    const engine = await openStorage({ level: newMemoryLevel() });
    await write(engine, 'CREATE TABLE t (id INT PRIMARY KEY, g INT)', 1);
    await write(engine, 'INSERT INTO t VALUES (1, 1), (2, 2)', 2);
    expect(await write(engine, 'CREATE INDEX by_g ON t (g)', 3)).toEqual({ kind: 'message', message: 'Index by_g created', rowsAffected: 0 });
    expect(rowsOf(await read(engine, 'DESCRIBE t'))[1]?.[4]).toBe('by_g');
    await engine.close();
  });

  it('on a single node, answers once every pass is applied', async () => {
    const { session, engine } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, g INT)',
      `INSERT INTO t SELECT n, n % 10 FROM generate_series(1, ${2 * INDEX_BUILD_ROWS_PER_PASS + 1}) n`);
    expect(await run(session, 'CREATE INDEX by_g ON t (g)')).toEqual({ kind: 'message', message: 'Index by_g created', rowsAffected: 0 });
    expect(rowsOf(await read(engine, 'DESCRIBE t'))[1]?.[4]).toBe('by_g');
    expect(rowsOf(await read(engine, 'SELECT count(*) FROM t WHERE g = 1'))).toEqual([[(2 * INDEX_BUILD_ROWS_PER_PASS) / 10 + 1]]);
  });
});
