import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { Row, TableDefinition } from '../../src/storage/index.js';
import { testLayout } from '../helpers/test-layout.js';
import { COLUMNAR_READINGS, newMemoryLevel } from './backends.js';
import { drawRow, expectIndexMatches } from './index-rows.js';

/**
 * CREATE INDEX over rows already stored and rows the same transaction wrote. The generator draws
 * values in no relation to the primary key, NULLs and ties, a transaction that first wrote keys
 * of a later table, and savepoints rolled back over the build (the index id is then given out
 * again); the index must list exactly the table's rows, in index order, before and after commit.
 */


describe.skipIf(testLayout().layout !== undefined).each([{ layout: 'row' as const }, { layout: 'columnar' as const }])(
  'CREATE INDEX over existing rows ($layout)',
  ({ layout }) => {
    const T: TableDefinition = { ...COLUMNAR_READINGS, name: 't', layout };
    const U: TableDefinition = { ...T, name: 'u' };
    it.each([1, 2, 3, 4, 5, 6, 7, 8])('lists every row in index order (seed %i)', async (seed) => {
      const rng = new Random(seed);
      const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 8, headEntriesMax: 16, newTables: layout } });
      const setup = await engine.begin();
      setup.createTable(T);
      setup.createTable(U);
      const committed = new Map<string, Row>();
      for (let i = rng.between(0, 300); i > 0; i--) {
        const row = drawRow(rng);
        committed.set(JSON.stringify(row.slice(0, 2)), row);
      }
      await setup.insertMany('t', [...committed.values()], 0);
      await setup.commit(1);

      const tx = await engine.begin();
      // Rows of the later table first: their keys sort after the index's, so the run cannot take them all.
      if (rng.chance(0.5)) await tx.insertMany('u', [['a', 1, 1], ['a', 2, null]], 0);
      for (let i = rng.between(0, 20); i > 0; i--) {
        const row = drawRow(rng);
        if (!committed.has(JSON.stringify(row.slice(0, 2)))) {
          await tx.insert('t', row, 1);
          committed.set(JSON.stringify(row.slice(0, 2)), row);
        }
      }
      const before = tx.savepoint();
      await tx.createIndex('t', 'by_v', ['v']);
      if (rng.chance(0.3)) {
        tx.rollbackTo(before);
        expect(tx.catalog.table('t')?.indexes).toEqual([]);
        await tx.createIndex('t', 'by_v', ['v']);
      }
      await expectIndexMatches(tx, 'by_v');
      await tx.commit(2);
      const reader = await engine.reader();
      await expectIndexMatches(reader, 'by_v');
      await reader.close();
      await engine.close();
    });
  },
);
