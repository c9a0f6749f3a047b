import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine, TableDefinition } from '../../src/storage/index.js';
import { META_IMPORT_MARKER } from '../../src/storage/keys.js';
import { collect } from './backends.js';

const T: TableDefinition = {
  name: 't',
  columns: [
    { name: 'k', type: 'INT', notNull: true },
    { name: 'v', type: 'STRING', notNull: false },
  ],
  primaryKey: ['k'],
  ttlMs: null,
};

async function memoryEngine(): Promise<{
  engine: StorageEngine;
  level: MemoryLevel<Uint8Array, Uint8Array>;
}> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  return { engine: await openStorage({ level }), level };
}

async function codeOf(action: Promise<unknown>): Promise<string> {
  try {
    await action;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('storage engine edge cases', () => {
  it('refuses to open a data dir whose snapshot import was interrupted', async () => {
    const { engine, level } = await memoryEngine();
    const tx = await engine.begin();
    tx.createTable(T);
    await tx.commit(1);
    await engine.close();
    await level.open();
    await level.put(META_IMPORT_MARKER, new Uint8Array(0));
    await level.close();
    await expect(openStorage({ level })).rejects.toMatchObject({ code: 'CORRUPTION' });
  });

  it('refuses a commit from a transaction that began before another commit', async () => {
    const { engine } = await memoryEngine();
    const first = await engine.begin();
    const second = await engine.begin();
    first.createTable(T);
    second.createTable({ ...T, name: 'u' });
    await first.commit(1);
    expect(await codeOf(second.commit(2))).toBe('TRANSACTION_STATE');
    const reader = await engine.reader();
    expect(reader.catalog.tables().map((t) => t.name)).toEqual(['t']);
    await reader.close();
    expect(await codeOf(first.insert('t', [1, 'x'], 0))).toBe('TRANSACTION_STATE');
    await engine.close();
  });

  it('leaves the transaction unchanged when an update collides, and narrows fractional INT bounds', async () => {
    const { engine } = await memoryEngine();
    const tx = await engine.begin();
    tx.createTable(T);
    for (let k = 1; k <= 5; k++) await tx.insert('t', [k, `v${k}`], 0);
    const two = await tx.get('t', [2]);
    expect(await codeOf(tx.update('t', two!.key, [3, 'moved']))).toBe('DUPLICATE_KEY');
    expect(await codeOf(tx.update('t', two!.key, [2, 7]))).toBe('TYPE_MISMATCH');
    const values = async (lower: number, upper: number): Promise<unknown[]> =>
      (
        await collect(
          tx.scan('t', {
            lower: { values: [lower], inclusive: false },
            upper: { values: [upper], inclusive: false },
          }),
        )
      ).map((r) => r.values[0]);
    expect(await values(1.5, 4.5)).toEqual([2, 3, 4]);
    expect(await values(2, 4)).toEqual([3]);
    expect((await tx.get('t', [2]))?.values).toEqual([2, 'v2']);
    expect(await codeOf(tx.get('t', ['2']))).toBe('TYPE_MISMATCH');
    await tx.update('t', two!.key, [9, 'moved']);
    const reversed = await collect(tx.scan('t', undefined, { reverse: true }));
    expect(reversed.map((r) => r.values[0])).toEqual([9, 5, 4, 3, 1]);
    await tx.commit(1);
    await engine.close();
  });

  it('get needs the full primary key and is not offered on row-id tables', async () => {
    const { engine } = await memoryEngine();
    const tx = await engine.begin();
    tx.createTable({ ...T, name: 'r', primaryKey: [] });
    expect(await codeOf(tx.get('r', [1]))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(tx.get('nope', [1]))).toBe('UNKNOWN_TABLE');
    await tx.rollback();
    await engine.close();
  });

  it('exports a consistent snapshot while a commit happens during the export', async () => {
    const { engine } = await memoryEngine();
    const tx = await engine.begin();
    tx.createTable(T);
    for (let k = 0; k < 3000; k++) await tx.insert('t', [k, 'x'.repeat(50)], 0);
    await tx.commit(1);
    const chunks: Uint8Array[] = [];
    let committed = false;
    for await (const chunk of engine.exportSnapshot()) {
      chunks.push(chunk);
      if (!committed) {
        committed = true;
        const later = await engine.begin();
        await later.insert('t', [-1, 'late'], 0);
        await later.commit(2);
      }
    }
    expect(chunks.length).toBeGreaterThan(1);
    const { engine: copy } = await memoryEngine();
    await copy.importSnapshot(
      (async function* () {
        yield* chunks;
      })(),
    );
    expect(copy.appliedIndex).toBe(1);
    const reader = await copy.reader();
    const rows = await collect(reader.scan('t'));
    expect(rows.length).toBe(3000);
    expect(rows[0]?.values[0]).toBe(0);
    await reader.close();
    await copy.close();
    await engine.close();
  });
});
