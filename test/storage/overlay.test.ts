import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { MemoryLevel } from 'memory-level';
import { Overlay } from '../../src/storage/overlay.js';
import { openStorage } from '../../src/storage/index.js';
import { TINY_COLUMNAR_LAYOUT } from '../helpers/test-layout.js';

/** A key of 1–3 bytes: short keys make prefixes, equal keys and neighbours common. */
function keyOf(n: number): Uint8Array {
  return n < 256 ? Uint8Array.of(n) : Uint8Array.of(n >> 8, n & 255, n % 7);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The model: every pending write by hex key, copied whole at each savepoint. */
type Model = Map<string, string | null>;

function sortedEntries(model: Model, low: string, high: string): Array<[string, string | null]> {
  return [...model].filter(([k]) => k >= low && k < high).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What the commit hands LevelDB for the pending puts of non-empty, counted values: the oracle of `Overlay.bytes`. */
function putBytes(overlay: Overlay): number {
  let bytes = 0;
  for (const entry of overlay.entries()) {
    if (entry.value !== null && entry.value.length > 0 && entry.uncounted !== true) bytes += entry.key.length + entry.value.length;
  }
  return bytes;
}

describe('the overlay with an append run', () => {
  it('reads, slices, rolls back, lists and sizes its writes like a plain map (model-based)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = new Random(seed);
      const overlay = new Overlay();
      let model: Model = new Map();
      const savepoints: Array<{ at: number; model: Model }> = [];
      // putNew's contract: a key not written yet (the snapshot is empty here), ascending or not.
      let nextNew = 300 + rng.int(50);
      for (let step = 0; step < 400; step++) {
        const roll = rng.int(100);
        const key = keyOf(rng.int(400));
        const value = `v${step}`;
        if (roll < 35) {
          const fresh = keyOf(rng.chance(0.9) ? nextNew++ : 256 + rng.int(40));
          if (!model.has(hex(fresh))) {
            overlay.putNew(fresh, Buffer.from(value));
            model.set(hex(fresh), value);
          }
        } else if (roll < 55) {
          // Some puts are tombstones or index entries (empty values), some column blocks (uncounted).
          const written = rng.chance(0.2) ? '' : value;
          if (rng.chance(0.2)) overlay.putUncounted(key, Buffer.from(written));
          else overlay.put(key, Buffer.from(written));
          model.set(hex(key), written);
        } else if (roll < 65) {
          overlay.delete(key);
          model.set(hex(key), null);
        } else if (roll < 75) {
          savepoints.push({ at: overlay.savepoint(), model: new Map(model) });
        } else if (roll < 82 && savepoints.length > 0) {
          const target = savepoints.splice(rng.int(savepoints.length))[0];
          if (target !== undefined) {
            overlay.rollbackTo(target.at);
            model = new Map(target.model);
            expect(overlay.bytes, `seed ${seed} step ${step}: bytes after a rollback`).toBe(putBytes(overlay));
          }
        } else if (roll < 92) {
          const entry = overlay.lookup(key);
          const expected = model.get(hex(key));
          expect(entry === undefined ? undefined : entry.value === null ? null : Buffer.from(entry.value).toString())
            .toEqual(expected);
        } else {
          const low = keyOf(rng.int(400));
          const high = keyOf(rng.int(400));
          const got = overlay.slice(low, high).map((e) => [hex(e.key), e.value === null ? null : Buffer.from(e.value).toString()]);
          expect(got).toEqual(sortedEntries(model, hex(low), hex(high)));
        }
      }
      // The commit batch: applying the entries in order leaves exactly the model.
      const batch = new Map<string, string | null>();
      for (const entry of overlay.entries()) {
        batch.set(hex(entry.key), entry.value === null ? null : Buffer.from(entry.value).toString());
      }
      expect(new Map([...batch].sort())).toEqual(new Map([...model].sort()));
      expect(overlay.bytes, `seed ${seed}: bytes of the pending puts`).toBe(putBytes(overlay));
    }
  });

  it('forgets run entries at commit', () => {
    const overlay = new Overlay();
    overlay.putNew(Uint8Array.of(1), Uint8Array.of(10));
    overlay.putNew(Uint8Array.of(2), Uint8Array.of(20));
    overlay.forget(Uint8Array.of(1));
    expect(overlay.lookup(Uint8Array.of(1))).toBeUndefined();
    expect([...overlay.entries()].map((e) => e.key[0])).toEqual([2]);
    expect(overlay.slice(Uint8Array.of(0), Uint8Array.of(9)).map((e) => e.key[0])).toEqual([2]);
  });
});

describe('a transaction that rewrote a columnar table (DROP COLUMN) and then inserts', () => {
  it('still refuses a duplicate key of a row that was in a block', async () => {
    const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const engine = await openStorage({ level, layout: TINY_COLUMNAR_LAYOUT });
    let txn = await engine.begin();
    txn.createTable({ name: 'm', primaryKey: ['id'], ttlMs: null, columns: [
      { name: 'id', type: 'INT', notNull: true }, { name: 'a', type: 'INT', notNull: false },
      { name: 'b', type: 'INT', notNull: false }] });
    await txn.insertMany('m', Array.from({ length: 12 }, (_, i) => [i, i, i]), 1);
    await txn.commit(1);
    txn = await engine.begin();
    await txn.dropColumn('m', 'b');
    await expect(txn.insertMany('m', [[5, 50]], 2)).rejects.toThrow(/duplicate|already/i);
    await txn.rollback();
    await engine.close();
  });
});
