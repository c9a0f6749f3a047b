import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_BATCH_ENTRIES, SCAN_BATCH_ENTRIES, SnapshotSource, VIEW } from '../../src/storage/kv-source.js';
import type { KvEntry } from '../../src/storage/kv-source.js';

// Values of 100-300 bytes, and 40 KB at every 97th key: 90 small entries already pass
// classic-level's default byte bound of one read (16 KiB).
const ENTRIES = 2_000;

function keyOf(i: number): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, i);
  return key;
}

function valueOf(i: number): Uint8Array {
  const size = i % 97 === 0 ? 40_000 : 100 + (i % 200);
  return new Uint8Array(size).fill(i % 251);
}

describe('SnapshotSource.range on classic-level', () => {
  let dir = '';
  let db: ClassicLevel<Uint8Array, Uint8Array>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-kv-source-'));
    db = new ClassicLevel<Uint8Array, Uint8Array>(dir, VIEW);
    await db.open();
    const batch = db.batch();
    for (let i = 0; i < ENTRIES; i++) batch.put(keyOf(i), valueOf(i));
    await batch.write();
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function scan(from: number, to: number, reverse: boolean, batch?: number) {
    const source = new SnapshotSource(db, db.snapshot());
    const seen: KvEntry[] = [];
    const sizes: number[] = [];
    for await (const entries of source.range(keyOf(from), keyOf(to), reverse, batch)) {
      sizes.push(entries.length);
      seen.push(...entries);
    }
    await source.close();
    return { seen, sizes };
  }

  function expectEntries(seen: readonly KvEntry[], order: readonly number[]): void {
    expect(seen.map((e) => new DataView(e.key.buffer, e.key.byteOffset).getUint32(0))).toEqual(
      order,
    );
    for (const [n, entry] of seen.entries()) {
      expect(Buffer.compare(entry.value, valueOf(order[n] ?? -1))).toBe(0);
    }
  }

  it('yields every entry once, in key order, both ways, across many batches', async () => {
    const forward = await scan(5, 1_905, false);
    expectEntries(forward.seen, Array.from({ length: 1_900 }, (_, n) => 5 + n));
    // A short first read (a LIMIT may stop there), then full batches.
    expect(forward.sizes.slice(0, 2)).toEqual([FIRST_BATCH_ENTRIES, SCAN_BATCH_ENTRIES]);
    const backward = await scan(5, 1_905, true, 64);
    expectEntries(backward.seen, Array.from({ length: 1_900 }, (_, n) => 1_904 - n));
    expect(Math.max(...backward.sizes)).toBeLessThanOrEqual(64);
  });

  it('batches are not cut at 16 KiB: small entries fill a whole batch', async () => {
    const { sizes } = await scan(98, 290, false, 90);
    expect(sizes).toEqual([FIRST_BATCH_ENTRIES, 90, 38]);
  });

  it('a scan left after any batch releases its iterator; the database then closes', async () => {
    for (const stopAfter of [1, 2, 3, 5]) {
      const source = new SnapshotSource(db, db.snapshot());
      let batches = 0;
      for await (const entries of source.range(keyOf(0), keyOf(ENTRIES), false, 100)) {
        expect(entries.length).toBe(batches === 0 ? FIRST_BATCH_ENTRIES : 100);
        if (++batches === stopAfter) break;
      }
      await source.close();
    }
    await db.close();
    await db.open();
    expect((await scan(0, ENTRIES, false)).seen).toHaveLength(ENTRIES);
  });
});
