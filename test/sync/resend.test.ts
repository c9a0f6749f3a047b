import { describe, expect, it } from 'vitest';
import type { StorageEngine, TableSchema } from '../../src/storage/index.js';
import { appendToOutbox, applySyncBatch, compareHlc, encodeSyncOp, resendOps, resendStamp } from '../../src/sync/index.js';
import type { SyncOp } from '../../src/sync/index.js';
import { newSession } from '../sql/support.js';

const NOW = 1_765_000_000_000;

async function rowsOf(engine: StorageEngine, table: string): Promise<unknown[][]> {
  const reader = await engine.reader();
  const rows: unknown[][] = [];
  for await (const batch of reader.scan(table)) for (const row of batch) rows.push([...row.values]);
  await reader.close();
  const text = (row: unknown[]): string => JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return rows.sort((a, b) => (text(a) < text(b) ? -1 : 1));
}

/** A table's shape without its engine-given ids. */
function shape(schema: TableSchema | undefined): unknown {
  if (schema === undefined) return undefined;
  const { columns, primaryKey, ttlMs, layout, indexes } = schema;
  return { columns, primaryKey, ttlMs, layout, indexes: indexes.map((i) => ({ name: i.name, columns: i.columns })) };
}

describe('resending an edge to a target that lost its ops', () => {
  it('rebuilds every table, stamps below the queued ops, and leaves queued appends to the outbox', async () => {
    const edge = await newSession(NOW);
    for (const sql of [
      "CREATE TABLE log (n INT, s STRING) WITH (layout = 'columnar')",
      'CREATE TABLE kv (k INT PRIMARY KEY, "odd name" STRING NOT NULL) WITH (TTL = 1d)',
      'CREATE INDEX kv_by_name ON kv ("odd name")',
      "INSERT INTO log VALUES (1, 'x'), (1, 'x'), (2, NULL)",
      "INSERT INTO kv VALUES (1, 'one'), (9007199254740993, 'big')",
    ]) await edge.session.execute(sql);
    // One (1, 'x') is still queued as an append op: the outbox delivers it, the resend must not.
    const queuedStamp = { physicalMs: NOW, logical: 3, nodeId: 'edge1' };
    const queued: SyncOp = { kind: 'append', hlc: queuedStamp, table: 'log', columns: ['n', 's'], row: [1n, 'x'] };
    const txn = await edge.engine.begin();
    await appendToOutbox(txn, [queued], NOW);
    await txn.commit(edge.engine.appliedIndex + 1);

    const reader = await edge.engine.reader();
    const stamp = await resendStamp(reader, 'edge1');
    expect(stamp).not.toBeNull();
    expect(compareHlc(stamp!, queuedStamp)).toBeLessThan(0);
    expect(compareHlc(stamp!, { ...queuedStamp, logical: 2 })).toBeGreaterThan(0);
    const ops: SyncOp[] = [];
    for await (const op of resendOps(reader, stamp!)) ops.push(op);
    await reader.close();
    expect(ops.filter((op) => op.kind === 'append')).toHaveLength(2);
    expect(ops.filter((op) => op.kind === 'upsert')).toHaveLength(2);

    const target = await newSession(NOW);
    const batch = [...ops, queued].map((op, i) => ({ id: i + 1, data: encodeSyncOp(op) }));
    const apply = await target.engine.begin();
    await applySyncBatch(apply, { edgeId: 'edge1', nowMs: NOW, ops: batch });
    await apply.commit(target.engine.appliedIndex + 1);
    for (const table of ['log', 'kv']) {
      expect(shape(target.engine.catalog.table(table)), table).toEqual(shape(edge.engine.catalog.table(table)));
      expect(await rowsOf(target.engine, table), table).toEqual(await rowsOf(edge.engine, table));
    }
  });
});
