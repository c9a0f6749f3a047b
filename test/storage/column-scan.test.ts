import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { ColumnBatch, KeyRange, StorageReader, TableDefinition } from '../../src/storage/index.js';
import { collect, newMemoryLevel } from './backends.js';

const SENSORS: TableDefinition = {
  name: 'sensors',
  columns: [
    { name: 'device', type: 'STRING', notNull: false },
    { name: 'ts', type: 'INT', notNull: false },
    { name: 'temp', type: 'FLOAT', notNull: false },
    { name: 'ok', type: 'BOOLEAN', notNull: false },
  ],
  primaryKey: ['device', 'ts'],
  ttlMs: null,
  layout: 'columnar',
};

/** Rows of column batches as sorted JSON lines of the columns at `positions`, with insert times. */
async function columnRows(reader: StorageReader, positions: number[], range?: KeyRange): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of reader.scanColumns('sensors', positions, range) as AsyncIterable<ColumnBatch>) {
    for (let r = 0; r < batch.length; r++) {
      out.push(JSON.stringify([...positions.map((p) => batch.columns[p]?.[r]), batch.times[r]]));
    }
  }
  return out.sort();
}

async function scannedRows(reader: StorageReader, positions: number[], range?: KeyRange): Promise<string[]> {
  return (await collect(reader.scan('sensors', range)))
    .map((row) => JSON.stringify([...positions.map((p) => row.values[p]), row.insertedAtMs])).sort();
}

describe('scanColumns', () => {
  it.each([1, 2, 3, 4, 5])('gives the rows scan gives, over head, whole and shadowed blocks (seed %i)', async (seed) => {
    const rng = new Random(seed);
    const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 4, headEntriesMax: 5, newTables: 'row' } });
    let index = 0;
    const tx0 = await engine.begin();
    tx0.createTable(SENSORS);
    await tx0.commit(++index);
    const devices = ['a', 'b', 'c'];
    for (let step = 0; step < 60; step++) {
      const tx = await engine.begin();
      const reader = await engine.reader();
      const existing = await collect(reader.scan('sensors'));
      await reader.close();
      const action = rng.between(0, 9);
      if (action < 6 || existing.length === 0) {
        const rows = Array.from({ length: rng.between(1, 6) }, () => [
          rng.pick(devices), 1000 * step + rng.between(0, 999),
          rng.chance(0.2) ? null : rng.between(-50, 50) / 4, rng.chance(0.3) ? null : rng.chance(0.5)]);
        for (const row of rows) if (!existing.some((e) => e.values[0] === row[0] && e.values[1] === row[1])) {
          await tx.insert('sensors', row, 5_000 + step).catch(() => undefined);
        }
      } else if (action < 8) {
        const victim = rng.pick(existing);
        await tx.update('sensors', victim.key, [victim.values[0] ?? null, victim.values[1] ?? null, -0, null]);
      } else {
        await tx.delete('sensors', rng.pick(existing).key);
      }
      await tx.commit(++index);
      const check = await engine.reader();
      for (const positions of [[0, 1, 2, 3], [2], [1, 3]]) {
        expect(await columnRows(check, positions)).toEqual(await scannedRows(check, positions));
      }
      // Ranges that start and end inside blocks.
      for (let r = 0; r < 3; r++) {
        const bound = (): { values: [string, number]; inclusive: boolean } =>
          ({ values: [rng.pick(devices), rng.between(0, 1000 * (step + 1))], inclusive: rng.chance(0.5) });
        const range: KeyRange = rng.chance(0.5) ? { lower: bound(), upper: bound() } : rng.chance(0.5) ? { lower: bound() } : { upper: bound() };
        expect(await columnRows(check, [0, 1, 2], range)).toEqual(await scannedRows(check, [0, 1, 2], range));
      }
      await check.close();
    }
    await engine.close();
  });
});
