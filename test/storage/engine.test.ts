import { Random } from '../../src/lib/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageEngine, TableDefinition, WriteTransaction } from '../../src/storage/index.js';
import { BACKENDS, collect } from './backends.js';
import type { Backend } from './backends.js';

const READINGS: TableDefinition = {
  name: 'readings',
  columns: [
    { name: 'device', type: 'STRING', notNull: false },
    { name: 'ts', type: 'INT', notNull: false },
    { name: 'temp', type: 'FLOAT', notNull: false },
    { name: 'ok', type: 'BOOLEAN', notNull: true },
  ],
  primaryKey: ['device', 'ts'],
  ttlMs: null,
};

const LOG: TableDefinition = {
  name: 'log',
  columns: [
    { name: 'msg', type: 'STRING', notNull: true },
    { name: 'level', type: 'INT', notNull: false },
  ],
  primaryKey: [],
  ttlMs: 1000,
};

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

async function failure(
  action: Promise<unknown> | (() => unknown),
): Promise<{ code: string; message: string }> {
  try {
    if (typeof action === 'function') await action();
    else await action;
  } catch (error) {
    return { code: codeOf(error), message: (error as Error).message };
  }
  throw new Error('expected a failure');
}

describe.each(BACKENDS)('storage engine on $name', ({ make }) => {
  let backend: Backend;
  let engine: StorageEngine;
  let index = 0;

  beforeEach(async () => {
    backend = await make();
    engine = await backend.open();
    index = 0;
  });
  afterEach(async () => {
    await engine.close();
    await backend.dispose();
  });

  async function write(action: (tx: WriteTransaction) => Promise<void> | void): Promise<void> {
    const tx = await engine.begin();
    await action(tx);
    await tx.commit(++index);
  }

  async function rows(table: string): Promise<unknown[][]> {
    const reader = await engine.reader();
    try {
      return (await collect(reader.scan(table))).map((row) => [...row.values]);
    } finally {
      await reader.close();
    }
  }

  it('a scan hands out a short first batch, so a LIMIT can stop before reading the rest', async () => {
    await write(async (tx) => {
      tx.createTable(READINGS);
      for (let ts = 0; ts < 1_500; ts++) await tx.insert('readings', ['a', ts, ts / 2, true], 100);
    });
    const reader = await engine.reader();
    try {
      const sizes: number[] = [];
      for await (const batch of reader.scan('readings')) sizes.push(batch.length);
      // About 64 rows: the first read of the head or of the blocks, whichever comes first.
      expect(sizes[0]).toBeLessThanOrEqual(128);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(1_500);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(1_024);
    } finally {
      await reader.close();
    }
  });

  it('a scan of long rows hands them out a few at a time, not 512 (8 GB of 16 MB rows)', async () => {
    const length = 300_000;
    await write(async (tx) => {
      tx.createTable(LOG);
      for (let i = 0; i < 40; i++) await tx.insert('log', [String(i).padStart(length, 'x'), i], 100);
    });
    const reader = await engine.reader();
    try {
      const texts: number[] = [];
      for await (const batch of reader.scan('log')) {
        texts.push(batch.reduce((sum, row) => sum + (row.values[0] as string).length, 0));
      }
      expect(texts.reduce((a, b) => a + b, 0)).toBe(40 * length);
      // A megabyte, and the row or block that crossed it.
      expect(Math.max(...texts)).toBeLessThanOrEqual((1 << 20) + 3 * length);
    } finally {
      await reader.close();
    }
  });

  it('creates tables, keeps the catalog, rows and applied index across reopen', async () => {
    expect(engine.appliedIndex).toBe(0);
    await write(async (tx) => {
      tx.createTable(READINGS);
      tx.createTable(LOG);
      await tx.createIndex('readings', 'readings_temp', ['temp']);
      await tx.insert('readings', ['a', 1, 20.5, true], 100);
      await tx.insert('log', ['hello', 1], 100);
    });
    await engine.close();
    engine = await backend.open();
    expect(engine.appliedIndex).toBe(1);
    const reader = await engine.reader();
    const readings = reader.catalog.table('readings');
    expect(readings?.columns.map((c) => [c.name, c.type, c.notNull])).toEqual([
      ['device', 'STRING', true],
      ['ts', 'INT', true],
      ['temp', 'FLOAT', false],
      ['ok', 'BOOLEAN', true],
    ]);
    expect(readings?.primaryKey).toEqual([0, 1]);
    expect(readings?.indexes.map((i) => [i.name, i.columns])).toEqual([['readings_temp', [2]]]);
    expect(reader.catalog.table('log')?.ttlMs).toBe(1000);
    expect(reader.catalog.tables().map((t) => t.name)).toEqual(['log', 'readings']);
    expect(reader.catalog.tableOfIndex('readings_temp')?.name).toBe('readings');
    expect((await reader.get('readings', ['a', 1]))?.values).toEqual(['a', 1, 20.5, true]);
    await reader.close();
    expect(await rows('log')).toEqual([['hello', 1]]);
  });

  it('never reuses table or index ids after a drop, even across reopen', async () => {
    await write(async (tx) => {
      const first = tx.createTable(READINGS);
      expect(first.id).toBe(1);
      await tx.createIndex('readings', 'i1', ['ts']);
    });
    await write(async (tx) => {
      await tx.dropTable('readings');
    });
    await engine.close();
    engine = await backend.open();
    await write(async (tx) => {
      const again = tx.createTable(READINGS);
      expect(again.id).toBe(2);
      await tx.createIndex('readings', 'i1', ['ts']);
      expect(tx.catalog.table('readings')?.indexes[0]?.id).toBe(2);
    });
  });

  it('rejects duplicate keys, NULLs in NOT NULL columns and wrong types, leaving the transaction as it was', async () => {
    await write((tx) => {
      tx.createTable(READINGS);
    });
    const tx = await engine.begin();
    await tx.insert('readings', ['a', 1, 1.5, true], 0);
    const dup = await failure(tx.insert('readings', ['a', 1, 9.9, false], 0));
    expect(dup.code).toBe('DUPLICATE_KEY');
    expect(dup.message).toContain('readings');
    expect(dup.message).toContain("('a', 1)");
    const nn = await failure(tx.insert('readings', ['b', 1, 1, null], 0));
    expect(nn.code).toBe('NOT_NULL_VIOLATION');
    expect(nn.message).toContain('readings.ok');
    expect((await failure(tx.insert('readings', [null, 1, 1, true], 0))).code).toBe(
      'NOT_NULL_VIOLATION',
    );
    expect((await failure(tx.insert('readings', ['b', 1.5, 1, true], 0))).code).toBe(
      'TYPE_MISMATCH',
    );
    expect((await failure(tx.insert('readings', ['b', 2n ** 63n, 1, true], 0))).code).toBe(
      'TYPE_MISMATCH',
    );
    expect((await failure(tx.insert('readings', ['b', 1, 'x', true], 0))).code).toBe(
      'TYPE_MISMATCH',
    );
    expect((await failure(tx.insert('readings', ['b', 1, 1, 1], 0))).code).toBe('TYPE_MISMATCH');
    expect((await failure(tx.insert('readings', [5, 1, 1, true], 0))).code).toBe('TYPE_MISMATCH');
    expect((await failure(tx.insert('nope', [], 0))).code).toBe('UNKNOWN_TABLE');
    expect((await failure(() => tx.createTable(READINGS))).code).toBe('TABLE_EXISTS');
    expect((await failure(tx.createIndex('readings', 'x', ['nope']))).code).toBe('UNKNOWN_COLUMN');
    expect((await failure(tx.dropIndex('x'))).code).toBe('UNKNOWN_INDEX');
    expect(tx.catalog.table('readings')?.indexes).toEqual([]);
    // INT given to FLOAT becomes a number; bigint within safe range becomes a number.
    await tx.insert('readings', ['b', 2n, 3n, false], 0);
    await tx.insert('readings', ['c', 2n ** 60n, 1, false], 0);
    const all = (await collect(tx.scan('readings'))).map((r) => r.values);
    expect(all).toEqual([
      ['a', 1, 1.5, true],
      ['b', 2, 3, false],
      ['c', 2n ** 60n, 1, false],
    ]);
    await tx.commit(++index);
    expect(await rows('readings')).toEqual(all);
  });

  it('keeps secondary indexes exact on insert, update (incl. key change) and delete', async () => {
    await write(async (tx) => {
      tx.createTable(READINGS);
      await tx.insert('readings', ['a', 1, 30, true], 0);
      await tx.insert('readings', ['b', 1, 10, true], 0);
      await tx.createIndex('readings', 'by_temp', ['temp', 'ok']);
      await tx.insert('readings', ['c', 1, 20, false], 0);
    });
    const byTemp = async (): Promise<unknown[]> => {
      const reader = await engine.reader();
      const out = (await collect(reader.scanIndex('readings', 'by_temp'))).map((r) => r.values[0]);
      await reader.close();
      return out;
    };
    expect(await byTemp()).toEqual(['b', 'c', 'a']);
    await write(async (tx) => {
      const [row] = await collect(
        tx.scan('readings', {
          lower: { values: ['a'], inclusive: true },
          upper: { values: ['a'], inclusive: true },
        }),
      );
      expect(row?.values).toEqual(['a', 1, 30, true]);
      await tx.update('readings', row!.key, ['z', 9, 5, true]);
      expect((await collect(tx.scanIndex('readings', 'by_temp'))).map((r) => r.values[0])).toEqual([
        'z',
        'b',
        'c',
      ]);
      const [b] = await collect(
        tx.scanIndex('readings', 'by_temp', {
          lower: { values: [10], inclusive: true },
          upper: { values: [10], inclusive: true },
        }),
      );
      await tx.delete('readings', b!.key);
    });
    expect(await byTemp()).toEqual(['z', 'c']);
    const reader = await engine.reader();
    const range = await collect(
      reader.scanIndex('readings', 'by_temp', { lower: { values: [5], inclusive: false } }),
    );
    expect(range.map((r) => r.values[0])).toEqual(['c']);
    const exact = await collect(
      reader.scanIndex('readings', 'by_temp', {
        lower: { values: [20, false], inclusive: true },
        upper: { values: [20, false], inclusive: true },
      }),
    );
    expect(exact.map((r) => r.values[0])).toEqual(['c']);
    expect(await reader.get('readings', ['a', 1])).toBeUndefined();
    await reader.close();
    await write(async (tx) => {
      await tx.dropIndex('by_temp');
      expect((await failure(collect(tx.scanIndex('readings', 'by_temp')))).code).toBe(
        'UNKNOWN_INDEX',
      );
    });
  });

  it('finds expired rows by TTL with a range scan, and hidden row ids count up deterministically', async () => {
    await write(async (tx) => {
      tx.createTable(LOG);
      expect([...(await tx.insert('log', ['one', 1], 1000))]).toEqual([
        ...(await collectKey(tx, 1)),
      ]);
      await tx.insert('log', ['two', 2], 2000);
      await tx.insert('log', ['three', 3], 1500);
    });
    const reader = await engine.reader();
    const names = async (now: number): Promise<unknown[]> =>
      (await collect(reader.scanExpired('log', now))).map((r) => r.values[0]);
    expect(await names(1999)).toEqual([]);
    expect(await names(2000)).toEqual(['one']);
    expect(await names(2500)).toEqual(['one', 'three']);
    expect(await names(10_000)).toEqual(['one', 'three', 'two']);
    expect((await collect(reader.scan('log'))).map((r) => [r.values[0], r.insertedAtMs])).toEqual([
      ['one', 1000],
      ['two', 2000],
      ['three', 1500],
    ]);
    await reader.close();
    await write(async (tx) => {
      const [first] = await collect(tx.scan('log'));
      await tx.delete('log', first!.key);
      await tx.insert('log', ['four', 4], 0);
      expect((await collect(tx.scanExpired('log', 2500))).map((r) => r.values[0])).toEqual([
        'four',
        'three',
      ]);
    });
    expect(await rows('log')).toEqual([
      ['two', 2],
      ['three', 3],
      ['four', 4],
    ]);
  });

  async function collectKey(tx: WriteTransaction, rowId: number): Promise<Uint8Array> {
    const rowsNow = await collect(
      tx.scan('log', {
        lower: { values: [rowId], inclusive: true },
        upper: { values: [rowId], inclusive: true },
      }),
    );
    return rowsNow[0]!.key;
  }

  it('savepoint/rollbackTo undoes rows, indexes and catalog changes after the savepoint', async () => {
    await write((tx) => {
      tx.createTable(READINGS);
    });
    const tx = await engine.begin();
    await tx.insert('readings', ['a', 1, 1, true], 0);
    const savepoint = tx.savepoint();
    await tx.insert('readings', ['b', 1, 1, true], 0);
    await tx.createIndex('readings', 'late', ['temp']);
    tx.createTable(LOG);
    tx.rollbackTo(savepoint);
    expect(tx.catalog.table('log')).toBeUndefined();
    expect(tx.catalog.table('readings')?.indexes).toEqual([]);
    expect((await collect(tx.scan('readings'))).map((r) => r.values[0])).toEqual(['a']);
    await tx.commit(++index);
    expect(await rows('readings')).toEqual([['a', 1, 1, true]]);
    await write(async (next) => {
      await next.createIndex('readings', 'late', ['temp']);
      // The rolled-back index id was never stored, so handing it out again reuses nothing.
      expect(next.catalog.table('readings')?.indexes[0]?.id).toBe(1);
    });
  });

  it('gives a reader a stable snapshot while later commits happen', async () => {
    await write(async (tx) => {
      tx.createTable(READINGS);
      for (let i = 0; i < 1200; i++) await tx.insert('readings', ['d', i, i, true], 0);
    });
    const reader = await engine.reader();
    await write(async (tx) => {
      await tx.insert('readings', ['e', 0, 0, true], 0);
      const [first] = await collect(tx.scan('readings'));
      await tx.delete('readings', first!.key);
      tx.createTable(LOG);
    });
    const seen = await collect(reader.scan('readings'));
    expect(seen.length).toBe(1200);
    expect(seen[0]?.values[1]).toBe(0);
    expect(reader.catalog.table('log')).toBeUndefined();
    const reversed = await collect(reader.scan('readings', undefined, { reverse: true }));
    expect(reversed.map((r) => r.values[1])).toEqual(seen.map((r) => r.values[1]).reverse());
    await reader.close();
    await reader.close();
    expect((await rows('readings')).length).toBe(1200);
  });

  it('refuses a commit whose applied index does not increase', async () => {
    await write((tx) => {
      tx.createTable(LOG);
    });
    const tx = await engine.begin();
    await expect(tx.commit(1)).rejects.toThrow(/applied index must increase/);
  });

  it('exports and imports the whole state, and refuses a corrupt snapshot', async () => {
    await write(async (tx) => {
      tx.createTable(READINGS);
      tx.createTable(LOG);
      await tx.createIndex('readings', 'by_temp', ['temp']);
      for (let i = 0; i < 500; i++)
        await tx.insert('readings', [`d${i % 7}`, i, i / 3, i % 2 === 0], i);
      await tx.insert('log', ['x', null], 5);
    });
    const chunks: Uint8Array[] = [];
    for await (const chunk of engine.exportSnapshot()) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    const other = await make();
    const target = await other.open();
    try {
      await (async () => {
        const tx = await target.begin();
        tx.createTable({ ...LOG, name: 'junk' });
        await tx.commit(99);
      })();
      const flipped = Buffer.from(bytes);
      const middle = Math.floor(flipped.length / 2);
      flipped[middle] = (flipped[middle] as number) ^ 0x40;
      expect((await failure(target.importSnapshot(one(flipped)))).code).toBe('CORRUPTION');
      expect(
        (await failure(target.importSnapshot(one(bytes.subarray(0, bytes.length - 10))))).code,
      ).toBe('CORRUPTION');
      // A copy cut anywhere says it is truncated, not only that its CRC does not match: cut
      // points drawn over the whole stream, header and trailer included.
      const cuts = new Random(3131);
      for (const keep of [0, 20, bytes.length - 13, ...Array.from({ length: 12 }, () => cuts.int(bytes.length - 1))]) {
        const cut = await failure(target.importSnapshot(one(bytes.subarray(0, keep))));
        expect(cut.code).toBe('CORRUPTION');
        expect(cut.message, `first ${keep} of ${bytes.length} bytes`).toMatch(/truncated/);
      }
      expect((await failure(target.importSnapshot(one(flipped)))).message).toMatch(/CRC mismatch/);
      expect(target.appliedIndex).toBe(99);
      await target.importSnapshot(one(bytes));
      expect(target.appliedIndex).toBe(1);
      const reader = await target.reader();
      expect(reader.catalog.table('junk')).toBeUndefined();
      expect((await collect(reader.scan('readings'))).length).toBe(500);
      const viaIndex = await collect(
        reader.scanIndex('readings', 'by_temp', { upper: { values: [1], inclusive: false } }),
      );
      expect(viaIndex.map((r) => r.values[1])).toEqual([0, 1, 2]);
      expect((await collect(reader.scan('log'))).map((r) => r.values)).toEqual([['x', null]]);
      await reader.close();
      expect(await target.sizeBytes()).toBeGreaterThan(0);
    } finally {
      await target.close();
      await other.dispose();
    }
  });
});

async function* one(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes.subarray(0, 100);
  yield bytes.subarray(100);
}
