import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine, TableDefinition } from '../../src/storage/index.js';
import { CLEAR_KEYS_PER_STEP } from '../../src/storage/dropped-ranges.js';
import { DROPPED_RANGES_PREFIX, tablePrefix } from '../../src/storage/keys.js';
import { testLayout } from '../helpers/test-layout.js';
import { ByteWriter } from '../../src/storage/index.js';
import { droppedRangeValue } from '../../src/storage/dropped-ranges.js';
import { droppedRangeKey } from '../../src/storage/keys.js';
import { classicBackend, collect, EXPIRING_EVENTS, newMemoryLevel } from './backends.js';

/**
 * DROP TABLE and DROP INDEX commit only a record of the range to clear; background steps delete
 * the keys, a bounded number at a time, across restarts and snapshot images.
 */

type Level = ReturnType<typeof newMemoryLevel>;

async function keysUnder(level: Level, prefix: Uint8Array): Promise<number> {
  const end = Uint8Array.from(prefix);
  end[end.length - 1] = (end[end.length - 1] as number) + 1;
  return (await level.keys({ gte: prefix, lt: end }).all()).length;
}

/** Steps until nothing is left to clear (bounded); returns how many steps it took. */
async function clearAll(engine: StorageEngine, level: Level): Promise<number> {
  let steps = 0;
  while (await keysUnder(level, DROPPED_RANGES_PREFIX) > 0) {
    expect(++steps).toBeLessThan(1_000);
    await engine.compactStep(32);
  }
  return steps;
}

const ROWS = 3 * CLEAR_KEYS_PER_STEP + 5;

describe.skipIf(testLayout().layout !== undefined).each([
  { layout: 'row' as const },
  { layout: 'columnar' as const },
])('dropped tables and indexes are cleared in the background ($layout)', ({ layout }) => {
  const EVENTS: TableDefinition = { ...EXPIRING_EVENTS, layout };
  const storageOf = (level: Level): Promise<StorageEngine> =>
    openStorage({ level, layout: { blockRows: 64, headEntriesMax: 4_096, newTables: layout } });

  async function loaded(level: Level): Promise<{ engine: StorageEngine; tableId: number }> {
    const engine = await storageOf(level);
    const tx = await engine.begin();
    const schema = tx.createTable(EVENTS);
    await tx.createIndex('events', 'by_v', ['v']);
    await tx.insertMany('events', Array.from({ length: ROWS }, (_, ts) => ['a', ts, ts % 7]), 0);
    await tx.commit(1);
    return { engine, tableId: schema.id };
  }

  it('DROP TABLE commits a record, not the deletes; the table is gone at once and its keys in steps', async () => {
    const level = newMemoryLevel();
    const { engine, tableId } = await loaded(level);
    const before = await keysUnder(level, tablePrefix(tableId));
    expect(before).toBeGreaterThan(ROWS / 64);
    const tx = await engine.begin();
    await tx.dropTable('events');
    await tx.commit(2);
    expect(engine.catalog.table('events')).toBeUndefined();
    expect(await keysUnder(level, tablePrefix(tableId))).toBe(before);
    expect(engine.droppedClearing).toEqual({ keysCleared: 0, pending: true });
    // A new table of the same name gets a new id and sees none of the old rows.
    const tx2 = await engine.begin();
    const again = tx2.createTable(EVENTS);
    await tx2.insert('events', ['b', 1, 1], 0);
    await tx2.commit(3);
    expect(again.id).not.toBe(tableId);
    expect((await collect((await engine.reader()).scan('events'))).map((row) => row.values)).toEqual([['b', 1, 1]]);
    const steps = await clearAll(engine, level);
    expect(steps).toBeGreaterThanOrEqual(Math.ceil(before / CLEAR_KEYS_PER_STEP));
    expect(await keysUnder(level, tablePrefix(tableId))).toBe(0);
    expect(await keysUnder(level, tablePrefix(again.id))).toBeGreaterThan(0);
    expect(engine.droppedClearing).toEqual({ keysCleared: before, pending: false });
    expect(engine.appliedIndex).toBe(3);
    await engine.close();
  });

  it('a restart, or a snapshot image taken half-way, goes on clearing where it stopped', async () => {
    const level = newMemoryLevel();
    const { engine, tableId } = await loaded(level);
    const tx = await engine.begin();
    await tx.dropTable('events');
    await tx.commit(2);
    await engine.compactStep(32);
    const left = await keysUnder(level, tablePrefix(tableId));
    expect(left).toBeGreaterThan(0);
    const image: Uint8Array[] = [];
    for await (const chunk of engine.exportSnapshot()) image.push(chunk);
    await engine.close();
    const reopened = await storageOf(level);
    expect(reopened.droppedClearing.pending).toBe(true);
    await clearAll(reopened, level);
    expect(await keysUnder(level, tablePrefix(tableId))).toBe(0);
    await reopened.close();

    const other = newMemoryLevel();
    const installed = await storageOf(other);
    await installed.importSnapshot((async function* () { yield* image; })());
    expect(await keysUnder(other, tablePrefix(tableId))).toBe(left);
    await clearAll(installed, other);
    expect(await keysUnder(other, tablePrefix(tableId))).toBe(0);
    await installed.close();
  });

  it('DROP INDEX leaves the table and its other keys untouched', async () => {
    const level = newMemoryLevel();
    const { engine, tableId } = await loaded(level);
    const before = await keysUnder(level, tablePrefix(tableId));
    const tx = await engine.begin();
    await tx.dropIndex('by_v');
    await tx.commit(2);
    await clearAll(engine, level);
    expect(await keysUnder(level, tablePrefix(tableId))).toBe(before - ROWS);
    const reader = await engine.reader();
    expect((await collect(reader.scan('events'))).length).toBe(ROWS);
    await reader.close();
    await engine.close();
  });

  it('a rolled-back DROP leaves nothing to clear', async () => {
    const level = newMemoryLevel();
    const { engine, tableId } = await loaded(level);
    const tx = await engine.begin();
    await tx.dropTable('events');
    await tx.rollback();
    expect(await keysUnder(level, DROPPED_RANGES_PREFIX)).toBe(0);
    await engine.compactStep(32);
    expect(await keysUnder(level, tablePrefix(tableId))).toBeGreaterThan(ROWS);
    await engine.close();
  });

  it('gives the disk space back once a range is cleared, with no writes after it', async () => {
    const backend = await classicBackend({ blockRows: 64, headEntriesMax: 4_096, newTables: layout });
    try {
      let engine = await backend.open();
      const tx = await engine.begin();
      tx.createTable(EVENTS);
      await tx.insertMany('events', Array.from({ length: 60_000 }, (_, ts) => [`device-${ts % 50}-${'x'.repeat(40)}`, ts, ts * 0.37]), 0);
      await tx.commit(1);
      await engine.compact();
      const loaded = await engine.sizeBytes();
      const drop = await engine.begin();
      await drop.dropTable('events');
      await drop.commit(2);
      for (let i = 0; i < 1_000 && engine.droppedClearing.pending; i++) await engine.compactStep(32);
      await engine.close();
      engine = await backend.open();
      expect(await engine.sizeBytes()).toBeLessThan(loaded / 2);
      await engine.close();
    } finally {
      await backend.dispose();
    }
  });
});

describe.skipIf(testLayout().layout !== undefined)('a damaged dropped-range record', () => {
  it('stops clearing rather than delete meta or catalog keys', async () => {
    const level = newMemoryLevel();
    const created = await openStorage({ level });
    const tx = await created.begin();
    tx.createTable({ ...EXPIRING_EVENTS, layout: 'row' });
    await tx.commit(1);
    await created.close();
    const meta = new ByteWriter(2).u8(0).u8(0x61).finish();
    await level.open();
    await level.put(droppedRangeKey(meta), droppedRangeValue(tablePrefix(1), meta));
    const engine = await openStorage({ level });
    await expect(engine.compactStep(32)).rejects.toThrow(/outside one table/);
    expect(engine.catalog.table('events')).toBeDefined();
    await engine.close();
  });
});
