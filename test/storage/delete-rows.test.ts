import { describe, expect, it, vi } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { Row, StorageEngine, StoredRow, TableDefinition, WriteTransaction } from '../../src/storage/index.js';
import { testLayout } from '../helpers/test-layout.js';
import { collect, EXPIRING_EVENTS, newMemoryLevel } from './backends.js';

/**
 * deleteRows and update(..., read) take rows as the transaction read them, to spare a LevelDB
 * read per row (a 1M-row DELETE outlasted the 10 s write deadline on those reads). A row the
 * transaction wrote after reading it must be read anew: its index and TTL entries are the new
 * ones. The generator reads rows, then often rewrites some of them (in place or to a new key)
 * before handing the stale reads over, in row and columnar layouts with blocks of four rows.
 */

type Model = Map<string, [readonly unknown[], number]>;

const keyOf = (values: readonly unknown[]): string => `${String(values[0])}:${String(values[1])}`;

async function rowsOf(engine: StorageEngine, read: 'scan' | 'index' | 'ttl'): Promise<string[]> {
  const reader = await engine.reader();
  try {
    const source = read === 'scan' ? reader.scan('events') : read === 'index' ? reader.scanIndex('events', 'by_v')
      : reader.scanExpired('events', 1_000_000);
    return (await collect(source)).map((row) => JSON.stringify([row.values, row.insertedAtMs])).sort();
  } finally {
    await reader.close();
  }
}

/** Rewrites some of `read` in `tx` (and in the model): in place, or to a key no row holds. */
async function rewriteSome(rng: Random, tx: WriteTransaction, read: readonly StoredRow[], model: Model): Promise<Set<StoredRow>> {
  const moved = new Set<StoredRow>();
  for (const row of read) {
    if (!rng.chance(0.2)) continue;
    const [device = null, ts = null] = row.values;
    const next: Row = rng.chance(0.3) ? [device, Number(ts) + 1_000_000, 7] : [device, ts, rng.between(10, 19)];
    const current = model.get(keyOf(row.values));
    if (current === undefined || (model.has(keyOf(next)) && keyOf(next) !== keyOf(row.values))) continue;
    const [currentRow] = (await collect(tx.scan('events'))).filter((r) => keyOf(r.values) === keyOf(row.values));
    await tx.update('events', row.key, next, currentRow);
    model.delete(keyOf(row.values));
    model.set(keyOf(next), [next, current[1]]);
    if (keyOf(next) !== keyOf(row.values)) moved.add(row);
  }
  return moved;
}

/** `items` in a drawn order (deleteRows takes rows in any order). */
function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// Both layouts are the tables' own: one layout project runs these.
describe.skipIf(testLayout().layout !== undefined).each([
  { layout: 'row' as const },
  { layout: 'columnar' as const },
])('rows handed over as read ($layout)', ({ layout }) => {
  const EVENTS: TableDefinition = { ...EXPIRING_EVENTS, layout };
  it.each([1, 2, 3, 4, 5, 6])('delete and update as per-row calls would, stale reads included (seed %i)', async (seed) => {
    const rng = new Random(seed);
    const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 4, headEntriesMax: 6, newTables: layout } });
    const tx0 = await engine.begin();
    tx0.createTable(EVENTS);
    await tx0.createIndex('events', 'by_v', ['v']);
    await tx0.commit(1);
    const model: Model = new Map();
    for (let step = 0; step < 30; step++) {
      const tx = await engine.begin();
      for (let i = rng.between(0, 12); i > 0; i--) {
        const values = [rng.pick(['a', 'b']), step * 100 + i, rng.chance(0.2) ? null : rng.between(0, 9)];
        await tx.insert('events', values, step * 10);
        model.set(keyOf(values), [values, step * 10]);
      }
      const read = (await collect(tx.scan('events'))).filter(() => rng.chance(0.4));
      const moved = rng.chance(0.5) ? await rewriteSome(rng, tx, read, model) : new Set<StoredRow>();
      const still = read.filter((row) => !moved.has(row));
      if (rng.chance(0.5)) {
        await tx.deleteRows('events', shuffled(rng, still));
        for (const row of still) model.delete(keyOf(row.values));
      } else {
        for (const row of still) {
          const next: Row = [row.values[0] ?? null, row.values[1] ?? null, rng.between(20, 29)];
          await tx.update('events', row.key, next, row);
          model.set(keyOf(next), [next, (model.get(keyOf(next)) as [unknown[], number])[1]]);
        }
      }
      await tx.commit(step + 2);
      const expected = [...model.values()].map(([values, at]) => JSON.stringify([values, at])).sort();
      expect(await rowsOf(engine, 'scan')).toEqual(expected);
      expect(await rowsOf(engine, 'index')).toEqual(expected);
      expect(await rowsOf(engine, 'ttl')).toEqual(expected);
    }
    await engine.close();
  });

  it('reads no row again that the transaction has not written since', async () => {
    const level = newMemoryLevel();
    const engine = await openStorage({ level, layout: { blockRows: 4, headEntriesMax: 6, newTables: layout } });
    const tx0 = await engine.begin();
    tx0.createTable(EVENTS);
    await tx0.createIndex('events', 'by_v', ['v']);
    await tx0.insertMany('events', Array.from({ length: 400 }, (_, ts) => ['a', ts, ts % 7]), 0);
    await tx0.commit(1);
    const tx = await engine.begin();
    const rows = await collect(tx.scan('events'));
    const reads = vi.spyOn(level, 'getSync');
    const asyncReads = vi.spyOn(level, 'get');
    for (const row of rows.slice(0, 100)) await tx.update('events', row.key, ['a', row.values[1] ?? null, -1], row);
    await tx.deleteRows('events', rows.slice(50));
    expect(reads.mock.calls.length + asyncReads.mock.calls.length).toBe(0);
    // Rows 50..99 were rewritten after the read: their deletion reads them anew, and erases the new index entries.
    await tx.commit(2);
    expect(await rowsOf(engine, 'index')).toEqual(await rowsOf(engine, 'scan'));
    expect((await rowsOf(engine, 'scan')).length).toBe(50);
    await engine.close();
  });
});
