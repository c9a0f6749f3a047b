import type { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { decodeBlock } from '../../src/storage/block-codec.js';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine, TableDefinition, TableSchema } from '../../src/storage/index.js';
import { afterPrefix, blocksPrefix } from '../../src/storage/keys.js';
import { readKeyTuple } from '../../src/storage/key-codec.js';
import { classicBackend, collect, newMemoryLevel } from './backends.js';

type Level = MemoryLevel<Uint8Array, Uint8Array>;

const READINGS: TableDefinition = {
  name: 'readings',
  columns: [
    { name: 'device', type: 'STRING', notNull: true },
    { name: 'ts', type: 'INT', notNull: true },
    { name: 'temp', type: 'FLOAT', notNull: false },
  ],
  primaryKey: ['device', 'ts'],
  ttlMs: null,
  layout: 'columnar',
};
const DEVICES = ['a', 'b', 'c'];

/** Per block: the devices its rows belong to. */
async function blockDevices(level: Level, schema: TableSchema): Promise<string[][]> {
  const prefix = blocksPrefix(schema.id);
  const out: string[][] = [];
  for await (const value of level.values({ gte: prefix, lt: afterPrefix(prefix) })) {
    const devices = decodeBlock(schema, value).map((row) => String(readKeyTuple(row.key, 0, 1)[0][0]));
    out.push([...new Set(devices)]);
  }
  return out;
}

/** Interleaved appends: every commit adds one reading per device (as sensors report). */
async function loadInterleaved(engine: StorageEngine, steps: number): Promise<TableSchema> {
  let tx = await engine.begin();
  const schema = tx.createTable(READINGS);
  await tx.commit(1);
  for (let step = 0; step < steps; step++) {
    tx = await engine.begin();
    for (const device of DEVICES) await tx.insert('readings', [device, step * 10, step / 4], 1000 + step);
    await tx.commit(step + 2);
  }
  return schema;
}

async function scanAll(engine: StorageEngine): Promise<unknown[]> {
  const reader = await engine.reader();
  try {
    return (await collect(reader.scan('readings'))).map((row) => [row.values, row.insertedAtMs]);
  } finally {
    await reader.close();
  }
}

describe('column blocks under interleaved appends, and compaction', () => {
  it('folds per-device appends into blocks of one device each, then compacts them to full blocks', async () => {
    const level = newMemoryLevel();
    const engine = await openStorage({ level, layout: { blockRows: 8, headEntriesMax: 4, newTables: 'row' } });
    const schema = await loadInterleaved(engine, 30);
    const before = await scanAll(engine);
    expect(before).toHaveLength(90);
    const folded = await blockDevices(level, schema);
    expect(folded.every((devices) => devices.length === 1)).toBe(true);
    const check = await engine.begin();
    await expect(check.insert('readings', ['b', 100, 0], 0)).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    await check.insert('readings', ['b', 105, 0], 0);
    await expect(check.insert('readings', ['a', 290, 0], 0)).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    await check.rollback();
    const stale = await engine.begin();
    await engine.compact();
    const compacted = await blockDevices(level, schema);
    expect(compacted.every((devices) => devices.length === 1)).toBe(true);
    expect(compacted.length).toBeLessThan(folded.length);
    expect(await scanAll(engine)).toEqual(before);
    await stale.insert('readings', ['z', 1, 1], 0);
    await expect(stale.commit(100)).rejects.toMatchObject({ code: 'TRANSACTION_STATE' });
    const reader = await engine.reader();
    expect((await reader.get('readings', ['b', 290]))?.values).toEqual(['b', 290, 29 / 4]);
    expect(await reader.get('readings', ['b', 295])).toBeUndefined();
    await reader.close();
    await engine.close();
  });

  it('compacts a classic-level dir (LevelDB compaction too) and keeps every row across a restart', async () => {
    const backend = await classicBackend({ blockRows: 16, headEntriesMax: 4, newTables: 'columnar' });
    try {
      let engine = await backend.open();
      await loadInterleaved(engine, 40);
      const before = await scanAll(engine);
      await engine.compact();
      await engine.close();
      engine = await backend.open();
      expect(await scanAll(engine)).toEqual(before);
      await engine.close();
    } finally {
      await backend.dispose();
    }
  });
});
