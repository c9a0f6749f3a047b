import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { RowChange, StorageEngine } from '../../src/storage/index.js';
import { afterPrefix, blocksPrefix } from '../../src/storage/keys.js';
import { collect, EXPIRING_EVENTS, newMemoryLevel } from './backends.js';
import { wholeBlocksAmong } from '../../src/storage/block-delete.js';
import type { KvSource } from '../../src/storage/kv-source.js';
import type { RowStore } from '../../src/storage/row-store.js';

const EVENTS = EXPIRING_EVENTS;

async function rowsOf(engine: StorageEngine, read: 'scan' | 'index' | 'ttl', nowMs = 0): Promise<string[]> {
  const reader = await engine.reader();
  try {
    const source = read === 'scan' ? reader.scan('events') : read === 'index' ? reader.scanIndex('events', 'by_v')
      : reader.scanExpired('events', nowMs);
    return (await collect(source)).map((row) => JSON.stringify([row.values, row.insertedAtMs])).sort();
  } finally {
    await reader.close();
  }
}

describe('deleteMany', () => {
  it.each([1, 2, 3, 4])('drops whole blocks and deletes the rest row by row, as per-row deletes would (seed %i)', async (seed) => {
    const rng = new Random(seed);
    const level = newMemoryLevel();
    const engine = await openStorage({ level, layout: { blockRows: 4, headEntriesMax: 6, newTables: 'row' } });
    let index = 0;
    const tx0 = await engine.begin();
    tx0.createTable(EVENTS);
    await tx0.createIndex('events', 'by_v', ['v']);
    await tx0.commit(++index);
    // Model: row key text -> [values, insertedAtMs].
    const model = new Map<string, [unknown[], number]>();
    for (let step = 0; step < 40; step++) {
      const tx = await engine.begin();
      const at = step * 100;
      for (let i = rng.between(1, 8); i > 0; i--) {
        const values = [rng.pick(['a', 'b']), step * 1000 + i, rng.chance(0.2) ? null : rng.between(0, 9)];
        await tx.insert('events', values, at);
        model.set(`${values[0]}:${values[1]}`, [values, at]);
      }
      if (rng.chance(0.3)) {
        const reader = tx;
        const all = await collect(reader.scan('events'));
        const victim = all.length > 0 ? rng.pick(all) : undefined;
        if (victim !== undefined) {
          await tx.update('events', victim.key, [victim.values[0] ?? null, victim.values[1] ?? null, 42]);
          model.set(`${victim.values[0]}:${victim.values[1]}`, [[victim.values[0], victim.values[1], 42], victim.insertedAtMs]);
        }
      }
      await tx.commit(++index);
    }
    const blocks = async (): Promise<number> => {
      let n = 0;
      for await (const _key of level.keys({ gte: blocksPrefix(1), lt: afterPrefix(blocksPrefix(1)) })) n++;
      return n;
    };
    const blocksBefore = await blocks();
    for (const nowMs of [1_500, 2_600, 5_000]) {
      const tx = await engine.begin();
      const changes: RowChange[] = [];
      tx.observeRowChanges((change) => changes.push(change));
      const expired = (await collect(tx.scanExpired('events', nowMs))).map((row) => row.key);
      await tx.deleteMany('events', expired);
      await tx.commit(++index);
      const gone = [...model].filter(([, [, at]]) => at + 1_000 <= nowMs);
      for (const [key] of gone) model.delete(key);
      expect(changes.map((c) => c.kind).every((k) => k === 'delete')).toBe(true);
      expect(changes.length).toBe(gone.length);
      const expected = [...model.values()].map(([values, at]) => JSON.stringify([values, at])).sort();
      expect(await rowsOf(engine, 'scan')).toEqual(expected);
      expect(await rowsOf(engine, 'index')).toEqual(expected);
      expect(await rowsOf(engine, 'ttl', 10_000)).toEqual(expected);
    }
    // Most blocks expired whole: far fewer remain than were there (and none were rewritten).
    expect(blocksBefore).toBeGreaterThan(10);
    expect(await blocks()).toBeLessThan(blocksBefore / 2);
    await engine.close();
  });

  it('finds the blocks a set of keys covers whole, and none a head entry falls into', async () => {
    const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 4, headEntriesMax: 100, newTables: 'row' } });
    const tx0 = await engine.begin();
    tx0.createTable(EVENTS);
    await tx0.commit(1);
    const tx1 = await engine.begin();
    // 16 appending rows fold at once into 4 blocks of 4: ts 0..15.
    await tx1.insertMany('events', Array.from({ length: 16 }, (_, ts) => ['a', ts, ts / 2]), 0);
    await tx1.commit(2);
    const tx2 = await engine.begin();
    await tx2.update('events', (await collect(tx2.scan('events')))[9]!.key, ['a', 9, -1]);
    const keys = (await collect(tx2.scan('events'))).map((row) => row.key);
    const internals = tx2 as unknown as { source: KvSource; rows: RowStore };
    const schema = tx2.catalog.table('events')!;
    // Keys of ts 2..13: blocks [4..7] whole; [0..3] and [12..15] only partly; [8..11] has a head entry.
    const whole = await wholeBlocksAmong(internals.source, internals.rows, schema, keys.slice(2, 14));
    expect(whole.map((b) => b.rows.map((r) => r.values[1]))).toEqual([[4, 5, 6, 7]]);
    expect((await wholeBlocksAmong(internals.source, internals.rows, schema, keys)).length).toBe(3);
    await tx2.rollback();
    await engine.close();
  });
});
