import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import type { StorageEngine } from '../../src/storage/index.js';
import { applySyncBatch, encodeSyncOp, nextStamp } from '../../src/sync/index.js';
import type { HlcStamp, SyncBatchCommand, SyncOp } from '../../src/sync/index.js';
import { newSession } from '../sql/support.js';

const NOW = 1_765_000_000_000;
let applied = 0;

async function withTable(): Promise<StorageEngine> {
  const { session, engine } = await newSession(NOW);
  await session.execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
  applied = engine.appliedIndex;
  return engine;
}

async function apply(engine: StorageEngine, batch: SyncBatchCommand): Promise<void> {
  const txn = await engine.begin();
  await applySyncBatch(txn, batch);
  await txn.commit(++applied + 1000);
}

async function contents(engine: StorageEngine): Promise<unknown[][]> {
  const reader = await engine.reader();
  const rows: unknown[][] = [];
  for await (const batch of reader.scan('t')) for (const row of batch) rows.push([...row.values]);
  await reader.close();
  return rows;
}

/** An edge's ops on keys 0..5: upserts and deletes, stamped by its own (skewed) clock. */
function edgeOps(random: Random, nodeId: string, skewMs: number, count: number): SyncBatchCommand {
  let last: HlcStamp | null = null;
  const ops: SyncBatchCommand['ops'][number][] = [];
  for (let id = 1; id <= count; id++) {
    last = nextStamp(last, NOW + skewMs + random.int(5) * 1000, nodeId);
    const k = random.int(6);
    const op: SyncOp = random.chance(0.25)
      ? { kind: 'delete', hlc: last, table: 't', keyColumns: ['k'], key: [k] }
      : { kind: 'upsert', hlc: last, table: 't', columns: ['k', 'v'], row: [k, `${nodeId}-${id}`] };
    ops.push({ id, data: encodeSyncOp(op) });
  }
  return { edgeId: nodeId, nowMs: NOW, ops };
}

describe('last-writer-wins on the sync target', () => {
  it('two edges with skewed clocks writing the same keys converge in either arrival order', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = new Random(seed);
      const a = edgeOps(random, 'edge-a', -3_000, 1 + random.int(12));
      const b = edgeOps(random, 'edge-b', 2_000, 1 + random.int(12));
      const first = await withTable();
      await apply(first, a);
      await apply(first, b);
      const second = await withTable();
      await apply(second, b);
      await apply(second, a);
      expect(await contents(second), `seed ${seed}`).toEqual(await contents(first));
    }
  });

  it('a resent batch applies nothing twice, and a batch overlapping the cursor only its new ops', async () => {
    const target = await withTable();
    const stamp = (n: number): HlcStamp => ({ physicalMs: NOW + n, logical: 0, nodeId: 'e' });
    const ops = [1, 2, 3].map((id) => ({ id, data: encodeSyncOp({ kind: 'upsert', hlc: stamp(id), table: 't', columns: ['k', 'v'], row: [id, `v${id}`] }) }));
    await apply(target, { edgeId: 'e', nowMs: NOW, ops: ops.slice(0, 2) });
    const txn = await target.begin();
    const again = await applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops });
    await txn.commit(++applied + 1000);
    expect(again).toMatchObject({ cursor: 3, applied: 1, duplicates: 2 });
    expect(await contents(target)).toEqual([[1, 'v1'], [2, 'v2'], [3, 'v3']]);
  });

  it('refuses a whole batch naming the op when a table is missing, and keeps the cursor', async () => {
    const target = await withTable();
    const hlc = { physicalMs: NOW, logical: 0, nodeId: 'e' };
    const ops = [
      { id: 1, data: encodeSyncOp({ kind: 'upsert', hlc, table: 't', columns: ['k', 'v'], row: [1, 'x'] }) },
      { id: 2, data: encodeSyncOp({ kind: 'append', hlc, table: 'nope', columns: ['a'], row: [1] }) },
    ];
    const txn = await target.begin();
    await expect(applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops })).rejects.toThrow(/schema mismatch at op 2: table nope/);
    await txn.rollback();
    expect(await contents(target)).toEqual([]);
  });

  it('refuses stamps more than a minute ahead of the target clock', async () => {
    const target = await withTable();
    const hlc = { physicalMs: NOW + 120_000, logical: 0, nodeId: 'e' };
    const txn = await target.begin();
    await expect(applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops: [
      { id: 1, data: encodeSyncOp({ kind: 'upsert', hlc, table: 't', columns: ['k', 'v'], row: [1, 'x'] }) }] }))
      .rejects.toThrow(/120000 ms ahead of the target's clock/);
    await txn.rollback();
  });

  it('replays DDL that two edges both ran: same index twice and a drop of what is gone are no-ops', async () => {
    const target = await withTable();
    const hlc = { physicalMs: NOW, logical: 0, nodeId: 'e' };
    const ddl = (id: number, sql: string): SyncBatchCommand['ops'][number] => ({ id, data: encodeSyncOp({ kind: 'ddl', hlc, sql }) });
    await apply(target, { edgeId: 'a', nowMs: NOW, ops: [ddl(1, 'CREATE TABLE x (id INT PRIMARY KEY, n INT)'), ddl(2, 'CREATE INDEX by_n ON x (n)')] });
    await apply(target, { edgeId: 'b', nowMs: NOW, ops: [ddl(1, 'CREATE TABLE x (id INT PRIMARY KEY, n INT)'), ddl(2, 'CREATE INDEX by_n ON x (n)'),
      ddl(3, 'DROP INDEX by_n'), ddl(4, 'DROP TABLE x')] });
    await apply(target, { edgeId: 'a', nowMs: NOW, ops: [ddl(3, 'DROP INDEX by_n'), ddl(4, 'DROP TABLE x')] });
    const reader = await target.reader();
    expect(reader.catalog.table('x')).toBeUndefined();
    await reader.close();
    await apply(target, { edgeId: 'a', nowMs: NOW, ops: [ddl(5, 'CREATE TABLE x (id INT PRIMARY KEY, n INT)'), ddl(6, 'CREATE INDEX by_n ON x (n)')] });
    const txn = await target.begin();
    await expect(applySyncBatch(txn, { edgeId: 'b', nowMs: NOW, ops: [ddl(5, 'CREATE INDEX by_n ON x (id)')] }))
      .rejects.toThrow(/schema mismatch at op 5: table x: index by_n exists on the target over other columns; fix it on the target: DROP INDEX by_n/);
    await txn.rollback();
  });

  it('a CREATE TABLE of another shape names each differing column and the ALTERs that fix it', async () => {
    const target = await withTable();
    const hlc = { physicalMs: NOW, logical: 0, nodeId: 'e' };
    const ddl = (sql: string): SyncBatchCommand['ops'][number] => ({ id: 1, data: encodeSyncOp({ kind: 'ddl', hlc, sql }) });
    const txn = await target.begin();
    const refused = applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops: [ddl('CREATE TABLE t (k INT PRIMARY KEY, v INT, w BOOLEAN)')] });
    await expect(refused).rejects.toThrow('schema mismatch at op 1: table t: column v is INT on the edge but STRING on the ' +
      'target, column w BOOLEAN is on the edge but not on the target (target: k INT, v STRING; edge: k INT, v INT, w BOOLEAN); ' +
      'fix it on the target: ALTER TABLE t DROP COLUMN v; ALTER TABLE t ADD COLUMN v INT; ALTER TABLE t ADD COLUMN w BOOLEAN');
    await expect(applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops: [ddl('CREATE TABLE t (k INT PRIMARY KEY)')] }))
      .rejects.toThrow(/column v STRING is on the target but not on the edge .*ALTER TABLE t DROP COLUMN v/);
    // Ops name their columns, so the same columns in another order are the same table.
    await applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops: [ddl('CREATE TABLE t (v STRING, k INT PRIMARY KEY)')] });
    await txn.rollback();
  });

  it('a row the target cannot hold names its table, the column and the fix', async () => {
    const target = await withTable();
    const hlc = { physicalMs: NOW, logical: 0, nodeId: 'e' };
    const upsert = (columns: string[], row: (string | number | boolean)[]): SyncBatchCommand['ops'][number] =>
      ({ id: 1, data: encodeSyncOp({ kind: 'upsert', hlc, table: 't', columns, row }) });
    const txn = await target.begin();
    await expect(applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops: [upsert(['k', 'v', 'site'], [1, 'x', 'north'])] }))
      .rejects.toThrow('schema mismatch at op 1: table t: column site is on the edge but not on the target; ' +
        'fix it on the target: ALTER TABLE t ADD COLUMN site TYPE');
    await expect(applySyncBatch(txn, { edgeId: 'e', nowMs: NOW, ops: [upsert(['k', 'v'], ['one', 'x'])] }))
      .rejects.toThrow(/schema mismatch at op 1: table t: .*fix it on the target: give the column the type it has on the edge/);
    await txn.rollback();
  });
});
