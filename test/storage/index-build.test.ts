import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { Row, StorageEngine, TableDefinition, WriteTransaction } from '../../src/storage/index.js';
import { testLayout } from '../helpers/test-layout.js';
import { collect, COLUMNAR_READINGS, newMemoryLevel } from './backends.js';
import { drawRow, expectIndexMatches } from './index-rows.js';

/**
 * An index built in passes, with inserts, updates and deletes committed between the passes (on
 * rows the cursor has passed and rows it has not), savepoints rolled back over a pass, a second
 * build started meanwhile, and a build whose index is dropped. Once no index is building, each
 * must list exactly the table's rows, in index order.
 */


/** Inserts, updates and deletes a few rows of t in `tx`. */
async function churn(tx: WriteTransaction, rng: Random): Promise<void> {
  const stored = await collect(tx.scan('t'));
  for (let n = rng.between(0, 6); n > 0; n--) {
    const row = drawRow(rng, 80);
    if ((await tx.get('t', row.slice(0, 2))) === undefined) await tx.insert('t', row, 1);
  }
  for (let n = rng.between(0, 4); n > 0 && stored.length > 0; n--) {
    const target = rng.pick(stored);
    const current = await tx.get('t', target.values.slice(0, 2));
    if (current === undefined) continue;
    if (rng.chance(0.5)) await tx.delete('t', current.key);
    else await tx.update('t', current.key, [current.values[0] ?? null, current.values[1] ?? null, rng.between(-20, 20) / 4]);
  }
}

async function building(engine: StorageEngine): Promise<string[]> {
  return engine.catalog.tables().flatMap((table) => table.indexes.filter((i) => i.buildFrom !== undefined).map((i) => i.name));
}

describe.skipIf(testLayout().layout !== undefined).each([{ layout: 'row' as const }, { layout: 'columnar' as const }])(
  'an index built in passes ($layout)',
  ({ layout }) => {
    const T: TableDefinition = { ...COLUMNAR_READINGS, name: 't', layout };
    it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('lists every row in index order once built (seed %i)', async (seed) => {
      const rng = new Random(seed);
      const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 8, headEntriesMax: 16, newTables: layout } });
      const setup = await engine.begin();
      setup.createTable(T);
      const first = new Map<string, Row>();
      for (let i = rng.between(0, 300); i > 0; i--) {
        const row = drawRow(rng, 80);
        first.set(JSON.stringify(row.slice(0, 2)), row);
      }
      await setup.insertMany('t', [...first.values()], 0);
      await setup.commit(1);

      let applied = 1;
      const create = await engine.begin();
      const firstPass = rng.between(1, 60);
      const pass = await create.createIndex('t', 'by_v', ['v'], firstPass);
      expect(pass).toEqual({ table: 't', index: 'by_v', indexed: Math.min(firstPass, first.size), done: first.size <= firstPass });
      await create.commit(++applied);

      let second = false;
      let dropped = false;
      for (let round = 0; (await building(engine)).length > 0; round++) {
        expect(round).toBeLessThan(500);
        const tx = await engine.begin();
        await churn(tx, rng);
        if (!second && rng.chance(0.2)) {
          await tx.createIndex('t', 'by_v_again', ['v'], rng.between(1, 30));
          second = true;
        } else if (second && !dropped && rng.chance(0.1)) {
          await tx.dropIndex('by_v_again');
          dropped = true;
        }
        const before = tx.savepoint();
        const lowest = tx.catalog.table('t')?.indexes.find((i) => i.buildFrom !== undefined)?.name;
        expect((await tx.buildIndexStep(rng.between(1, 60)))?.index).toBe(lowest);
        if (rng.chance(0.2)) {
          tx.rollbackTo(before);
          await tx.buildIndexStep(rng.between(1, 60));
        }
        await churn(tx, rng);
        await tx.commit(++applied);
      }
      const reader = await engine.reader();
      await expectIndexMatches(reader, 'by_v');
      if (second && !dropped) await expectIndexMatches(reader, 'by_v_again');
      await reader.close();
      const idle = await engine.begin();
      expect(await idle.buildIndexStep(10)).toBeUndefined();
      await idle.rollback();
      await engine.close();
    });

    it('ends a pass once its index keys pass 16 MiB, whatever the row bound', async () => {
      const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 8, headEntriesMax: 16, newTables: layout } });
      const big = 6 * 1024 * 1024;
      for (let i = 0; i < 5; i++) {
        const tx = await engine.begin();
        if (i === 0) tx.createTable(T);
        await tx.insert('t', ['d', i, null], 0);
        await tx.commit(i + 1);
      }
      const tx = await engine.begin();
      await tx.addColumn('t', { name: 'note', type: 'STRING', notNull: false });
      for (const row of await collect(tx.scan('t'))) await tx.update('t', row.key, [...row.values.slice(0, 3), String(row.values[1]).repeat(big)]);
      await tx.commit(6);
      const build = await engine.begin();
      // 6 MiB keys: the third passes 16 MiB, so the fourth row starts the next pass.
      expect(await build.createIndex('t', 'by_note', ['note'], 5_000)).toEqual({ table: 't', index: 'by_note', indexed: 3, done: false });
      expect(await build.buildIndexStep(5_000)).toEqual({ table: 't', index: 'by_note', indexed: 2, done: true });
      await build.rollback();
      await engine.close();
    });

    it('continues the build of lowest index id first, and a restart keeps its cursor', async () => {
      const level = newMemoryLevel();
      const options = { level, layout: { blockRows: 8, headEntriesMax: 16, newTables: layout } };
      let engine = await openStorage(options);
      const setup = await engine.begin();
      setup.createTable(T);
      await setup.insertMany('t', Array.from({ length: 100 }, (_, i) => ['d', i, i % 7]), 0);
      expect((await setup.createIndex('t', 'one', ['v'], 30)).done).toBe(false);
      expect((await setup.createIndex('t', 'two', ['ts'], 30)).done).toBe(false);
      await setup.commit(1);
      expect(await building(engine)).toEqual(['one', 'two']);
      await engine.close();
      engine = await openStorage(options);
      const tx = await engine.begin();
      expect(await tx.buildIndexStep(50)).toEqual({ table: 't', index: 'one', indexed: 50, done: false });
      expect(await tx.buildIndexStep(50)).toEqual({ table: 't', index: 'one', indexed: 20, done: true });
      expect(await tx.buildIndexStep(100)).toEqual({ table: 't', index: 'two', indexed: 70, done: true });
      await tx.commit(2);
      expect(await building(engine)).toEqual([]);
      const reader = await engine.reader();
      await expectIndexMatches(reader, 'one');
      await reader.close();
      await engine.close();
    });
  },
);
