import type { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { decodeTableSchema, encodeTableSchema } from '../../src/storage/catalog.js';
import { openStorage } from '../../src/storage/index.js';
import type {
  LayoutOptions,
  StorageEngine,
  TableDefinition,
  WriteTransaction,
} from '../../src/storage/index.js';
import { blocksPrefix, rowsPrefix } from '../../src/storage/keys.js';
import { afterPrefix } from '../../src/storage/keys.js';
import { collect, newMemoryLevel } from './backends.js';

type Level = MemoryLevel<Uint8Array, Uint8Array>;

const SENSORS: TableDefinition = {
  name: 'sensors',
  columns: [
    { name: 'device', type: 'STRING', notNull: false },
    { name: 'ts', type: 'INT', notNull: false },
    { name: 'temp', type: 'FLOAT', notNull: false },
  ],
  primaryKey: ['device', 'ts'],
  ttlMs: null,
};
const EVENTS: TableDefinition = { ...SENSORS, name: 'events', primaryKey: [] };

const TINY_ROW_POLICY: LayoutOptions = { blockRows: 3, headEntriesMax: 4, newTables: 'row' };

/** LevelDB entries of `table` under `prefixOf(its id)`: its blocks or its head rows. */
async function entryCount(level: Level, engine: StorageEngine, table: string, prefixOf: (id: number) => Uint8Array): Promise<number> {
  const reader = await engine.reader();
  const id = reader.catalog.table(table)?.id ?? -1;
  await reader.close();
  const prefix = prefixOf(id);
  let count = 0;
  for await (const _key of level.keys({ gte: prefix, lt: afterPrefix(prefix) })) count++;
  return count;
}

const blockCount = (level: Level, engine: StorageEngine, table: string): Promise<number> =>
  entryCount(level, engine, table, blocksPrefix);
const headCount = (level: Level, engine: StorageEngine, table: string): Promise<number> =>
  entryCount(level, engine, table, rowsPrefix);

class Writer {
  #index = 0;
  constructor(readonly engine: StorageEngine) {}
  async write(action: (tx: WriteTransaction) => Promise<unknown>): Promise<void> {
    const tx = await this.engine.begin();
    await action(tx);
    await tx.commit(++this.#index);
  }
}

async function rowsOf(engine: StorageEngine, table: string): Promise<unknown[]> {
  const reader = await engine.reader();
  try {
    return (await collect(reader.scan(table))).map((row) => row.values);
  } finally {
    await reader.close();
  }
}

async function fill(writer: Writer, table: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await writer.write((tx) => tx.insert(table, ['d1', i, i + 0.25], 1000 + i));
  }
}

describe('early folds of appending commits', () => {
  const LAYOUT: LayoutOptions = { blockRows: 64, headEntriesMax: 1000, newTables: 'columnar' };
  const rows = (from: number, count: number, device = 'd1'): [string, number, number][] =>
    Array.from({ length: count }, (_, i) => [device, from + i, i / 4]);

  it('a commit of blockRows/8 or more appended rows goes straight to blocks; fewer wait in the head', async () => {
    const level = newMemoryLevel();
    const engine = await openStorage({ level, layout: LAYOUT });
    const writer = new Writer(engine);
    await writer.write(async (tx) => tx.createTable(SENSORS));
    await writer.write((tx) => tx.insertMany('sensors', rows(0, 100), 1));
    expect(await headCount(level, engine, 'sensors')).toBe(0);
    expect(await blockCount(level, engine, 'sensors')).toBe(2);
    await writer.write((tx) => tx.insertMany('sensors', rows(100, 7), 2));
    expect(await headCount(level, engine, 'sensors')).toBe(7);
    // 8 more appends: with the 7 in the head they fold together.
    await writer.write((tx) => tx.insertMany('sensors', rows(107, 8), 3));
    expect(await headCount(level, engine, 'sensors')).toBe(0);
    expect((await rowsOf(engine, 'sensors')).length).toBe(115);
    await engine.close();
  });

  it('rows landing inside existing blocks stay in the head until it is full', async () => {
    const level = newMemoryLevel();
    const engine = await openStorage({ level, layout: LAYOUT });
    const writer = new Writer(engine);
    await writer.write(async (tx) => tx.createTable(SENSORS));
    await writer.write((tx) => tx.insertMany('sensors', rows(0, 128).map(([d, ts, v]) => [d, ts * 2, v]), 1));
    const blocks = await blockCount(level, engine, 'sensors');
    await writer.write((tx) => tx.insertMany('sensors', rows(0, 20).map(([d, ts, v]) => [d, ts * 2 + 1, v]), 2));
    expect(await headCount(level, engine, 'sensors')).toBe(20);
    expect(await blockCount(level, engine, 'sensors')).toBe(blocks);
    await engine.close();
  });
});

describe('per-table layout', () => {
  it('is recorded in the catalog and decides whether a table folds into column blocks', async () => {
    const level = newMemoryLevel();
    let engine = await openStorage({ level, layout: TINY_ROW_POLICY });
    const writer = new Writer(engine);
    await writer.write(async (tx) => {
      tx.createTable(SENSORS);
      tx.createTable({ ...SENSORS, name: 'columnar', layout: 'columnar' });
    });
    await fill(writer, 'sensors', 10);
    await fill(writer, 'columnar', 10);
    expect(await blockCount(level, engine, 'sensors')).toBe(0);
    expect(await blockCount(level, engine, 'columnar')).toBeGreaterThan(0);
    await engine.close();
    engine = await openStorage({ level, layout: TINY_ROW_POLICY });
    const reader = await engine.reader();
    expect(reader.catalog.table('sensors')?.layout).toBe('row');
    expect(reader.catalog.table('columnar')?.layout).toBe('columnar');
    expect(reader.catalog.table('columnar')?.rowCodecVersion).toBe(1);
    await reader.close();
    expect(await rowsOf(engine, 'columnar')).toEqual(await rowsOf(engine, 'sensors'));
    await engine.close();
  });

  it("'auto' makes row-id tables columnar and keyed tables per-row", async () => {
    const engine = await openStorage({ level: newMemoryLevel(), layout: { ...TINY_ROW_POLICY, newTables: 'auto' } });
    const tx = await engine.begin();
    expect(tx.createTable(SENSORS).layout).toBe('row');
    expect(tx.createTable(EVENTS).layout).toBe('columnar');
    await tx.rollback();
    await engine.close();
  });

  it('reads a format-1 catalog record (before layouts) as a row table, row codec 1', () => {
    const current = encodeTableSchema({
      name: 'old', id: 3, columns: SENSORS.columns, primaryKey: [0], ttlMs: null, indexes: [],
      layout: 'columnar', rowCodecVersion: 1,
    });
    const v1 = Uint8Array.of(1, ...current.subarray(1, current.length - 2));
    expect(decodeTableSchema(v1)).toMatchObject({ name: 'old', layout: 'row', rowCodecVersion: 1 });
    expect(decodeTableSchema(current)).toMatchObject({ layout: 'columnar' });
  });

  it('keeps the cursor of an index being built, and writes format 2 when none is', () => {
    const a = { name: 'a', id: 7, columns: [1] };
    const b = { name: 'b', id: 8, columns: [0, 1] };
    const table = {
      name: 'building', id: 4, columns: SENSORS.columns, primaryKey: [0], ttlMs: null, layout: 'row' as const, rowCodecVersion: 1,
      indexes: [a, { ...b, buildFrom: Uint8Array.of(3, 0, 255) }],
    };
    const record = encodeTableSchema(table);
    expect(record[0]).toBe(3);
    expect(decodeTableSchema(record).indexes).toEqual(table.indexes);
    const built = { ...table, indexes: [a, b] };
    expect(encodeTableSchema(built)[0]).toBe(2);
    expect(decodeTableSchema(encodeTableSchema(built)).indexes).toEqual([a, b]);
  });

  it('UPDATE and DELETE of rows inside blocks survive a restart and a snapshot copy', async () => {
    const level = newMemoryLevel();
    let engine = await openStorage({ level, layout: { ...TINY_ROW_POLICY, newTables: 'columnar' } });
    const writer = new Writer(engine);
    await writer.write(async (tx) => tx.createTable(EVENTS));
    await fill(writer, 'events', 12);
    expect(await blockCount(level, engine, 'events')).toBeGreaterThan(2);
    const keys = await (async () => {
      const reader = await engine.reader();
      const rows = await collect(reader.scan('events'));
      await reader.close();
      return rows.map((row) => row.key);
    })();
    await writer.write(async (tx) => {
      await tx.update('events', keys[2] as Uint8Array, ['d9', 2, -0]);
      await tx.delete('events', keys[5] as Uint8Array);
    });
    await fill(writer, 'events', 6);
    const expected = await rowsOf(engine, 'events');
    expect(expected).toHaveLength(17);
    expect(expected[2]).toEqual(['d9', 2, -0]);
    await engine.close();
    engine = await openStorage({ level, layout: TINY_ROW_POLICY });
    expect(await rowsOf(engine, 'events')).toEqual(expected);
    const copy = await openStorage({ level: newMemoryLevel() });
    await copy.importSnapshot(engine.exportSnapshot());
    expect(await rowsOf(copy, 'events')).toEqual(expected);
    const reader = await copy.reader();
    expect(reader.catalog.table('events')?.layout).toBe('columnar');
    await reader.close();
    await copy.close();
    await engine.close();
  });
});
