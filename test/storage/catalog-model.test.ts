import { afterEach, describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import { Random } from '../../src/lib/random.js';
import type { Catalog, StorageEngine, WriteTransaction } from '../../src/storage/index.js';
import { memoryBackend } from './backends.js';
import type { Backend } from './backends.js';

/** A table as the model sees it: name → its columns and indexes, in order. */
type ModelCatalog = Map<string, { readonly columns: readonly string[]; readonly indexes: readonly string[] }>;

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];

function describeCatalog(catalog: Catalog): string {
  return JSON.stringify(catalog.tables().map((table) => [table.name, table.columns.map((c) => c.name),
    table.indexes.map((i) => i.name)]));
}

function describeModel(model: ModelCatalog): string {
  return JSON.stringify([...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, table]) => [name, table.columns, table.indexes]));
}

/** Applies one drawn DDL step to `tx` and to `model` (when it succeeds), checking the error when it must fail. */
async function ddlStep(tx: WriteTransaction, model: ModelCatalog, random: Random, step: number): Promise<void> {
  const name = random.pick(NAMES);
  const other = random.pick(NAMES);
  const table = model.get(name);
  const failure = async (run: () => unknown): Promise<unknown> => {
    try {
      await run();
      return null;
    } catch (error) {
      return error;
    }
  };
  switch (random.int(6)) {
    case 0: {
      const error = await failure(() => tx.createTable({ name, columns: [{ name: 'id', type: 'INT', notNull: true }], primaryKey: ['id'], ttlMs: null }));
      expect(isChronosError(error, 'TABLE_EXISTS'), String(error)).toBe(table !== undefined);
      if (table === undefined) model.set(name, { columns: ['id'], indexes: [] });
      return;
    }
    case 1: {
      const error = await failure(() => tx.dropTable(name));
      expect(error === null, String(error)).toBe(table !== undefined);
      model.delete(name);
      return;
    }
    case 2: {
      const error = await failure(() => tx.renameTable(name, other));
      const ok = table !== undefined && (name === other || !model.has(other));
      expect(error === null, String(error)).toBe(ok);
      if (ok && table !== undefined) {
        model.delete(name);
        model.set(other, table);
      }
      return;
    }
    case 3: {
      if (table === undefined) return;
      const column = `c${step}`;
      await tx.addColumn(name, { name: column, type: 'FLOAT', notNull: false });
      model.set(name, { ...table, columns: [...table.columns, column] });
      return;
    }
    case 4: {
      if (table === undefined) return;
      const index = `i${step}`;
      await tx.createIndex(name, index, ['id']);
      model.set(name, { ...table, indexes: [...table.indexes, index] });
      return;
    }
    default: {
      // A failing step inside a statement must leave the catalog as it was.
      const error = await failure(() => tx.createTable({ name: 'zz', columns: [{ name: 'id', type: 'INT', notNull: true }, { name: 'id', type: 'INT', notNull: true }], primaryKey: ['id'], ttlMs: null }));
      expect(error).not.toBeNull();
    }
  }
}

describe('catalog changes, savepoints and rollbacks agree with a model', () => {
  let backend: Backend | undefined;
  let engine: StorageEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    await backend?.dispose();
  });

  it.each([1, 2, 3])('seed %i: 600 drawn DDL steps in 40 transactions', async (seed) => {
    const random = new Random(seed * 104_729);
    backend = await memoryBackend();
    engine = await backend.open();
    let committed: ModelCatalog = new Map();
    let applied = 0;
    for (let round = 0; round < 40; round += 1) {
      const tx = await engine.begin();
      let working: ModelCatalog = new Map(committed);
      const savepoints: { savepoint: number; model: ModelCatalog }[] = [];
      for (let step = 0; step < 15; step += 1) {
        const dice = random.int(10);
        if (dice < 2) {
          savepoints.push({ savepoint: tx.savepoint(), model: new Map(working) });
        } else if (dice < 4 && savepoints.length > 0) {
          const [{ savepoint, model }] = savepoints.splice(random.int(savepoints.length)) as [{ savepoint: number; model: ModelCatalog }];
          tx.rollbackTo(savepoint);
          working = model;
        } else {
          await ddlStep(tx, working, random, round * 100 + step);
        }
        expect(describeCatalog(tx.catalog), `round ${round} step ${step}`).toBe(describeModel(working));
      }
      if (random.chance(0.25)) {
        await tx.rollback();
      } else {
        await tx.commit(++applied);
        committed = working;
      }
      expect(describeCatalog(engine.catalog)).toBe(describeModel(committed));
    }
    await engine.close();
    engine = await backend.open();
    expect(describeCatalog(engine.catalog)).toBe(describeModel(committed));
  });
});
