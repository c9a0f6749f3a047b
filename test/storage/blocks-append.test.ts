import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { ROW_LAYOUT } from '../../src/storage/index.js';
import type { Row, StorageEngine, StoredRow, TableDefinition, WriteTransaction } from '../../src/storage/index.js';
import { BACKENDS, collect, memoryBackend } from './backends.js';
import type { Backend } from './backends.js';

const TABLE: TableDefinition = {
  name: 'r', primaryKey: [], ttlMs: null,
  columns: [
    { name: 'device', type: 'STRING', notNull: false },
    { name: 'ts', type: 'INT', notNull: false },
    { name: 'value', type: 'FLOAT', notNull: false },
  ],
};

/** Rows by their key (latin1 of its bytes), in key order: what any read of the table must give. */
type Model = Map<string, { key: Uint8Array; row: Row; insertedAtMs: number }>;

const keyText = (key: Uint8Array): string => Buffer.from(key).toString('latin1');

function randomRow(random: Random, ts: number): Row {
  return [random.pick(['a', 'b', 'é', null]), random.int(3) === 0 ? null : ts, random.pick([0.5, -2, NaN, null, ts / 7])];
}

async function expectSame(tx: WriteTransaction, model: Model, where: string): Promise<void> {
  const stored: StoredRow[] = await collect(tx.scan('r'));
  const expected = [...model.values()].sort((a, b) => Buffer.compare(a.key, b.key));
  expect(stored.map((s) => [keyText(s.key), s.values, s.insertedAtMs]), where)
    .toEqual(expected.map((e) => [keyText(e.key), e.row, e.insertedAtMs]));
}

describe('appending rows as column blocks (insertAsBlocks)', () => {
  const backends: Backend[] = [];
  afterEach(async () => {
    for (const backend of backends.splice(0)) await backend.dispose();
  });

  for (const { name, make } of BACKENDS) {
    it(`reads, updates and deletes block rows beside head rows, across savepoints and commits (${name})`, async () => {
      const backend = await make();
      backends.push(backend);
      const engine: StorageEngine = await backend.open();
      const random = new Random(name.length);
      let applied = 0;
      const setup = await engine.begin();
      setup.createTable(TABLE);
      await setup.commit(++applied);
      let committed: Model = new Map();
      let working: Model = new Map();
      let tx = await engine.begin();
      const savepoints: { savepoint: number; model: Model }[] = [];
      let ts = 0;
      for (let op = 0; op < 300; op++) {
        const dice = random.int(100);
        if (dice < 25) {
          const rows = Array.from({ length: 1 + random.int(random.chance(0.3) ? 300 : 20) }, () => randomRow(random, ts++));
          const asBlocks = random.chance(0.6);
          const before = new Set((await collect(tx.scan('r'))).map((s) => keyText(s.key)));
          if (asBlocks) expect(await tx.insertAsBlocks('r', rows, op)).toBe(true);
          else await tx.insertMany('r', rows, op);
          const added = (await collect(tx.scan('r'))).filter((s) => !before.has(keyText(s.key)));
          expect(added.map((s) => s.values), `op ${op}`).toEqual(rows);
          for (const s of added) working.set(keyText(s.key), { key: s.key, row: s.values, insertedAtMs: op });
        } else if (dice < 40 && working.size > 0) {
          const target = random.pick([...working.values()]);
          const next = randomRow(random, ts++);
          await tx.update('r', target.key, next);
          working.set(keyText(target.key), { ...target, row: next });
        } else if (dice < 50 && working.size > 0) {
          const targets = [...working.values()].filter(() => random.chance(0.2));
          if (random.chance(0.5)) await tx.deleteMany('r', targets.map((t) => t.key));
          else for (const t of targets) await tx.delete('r', t.key);
          for (const t of targets) working.delete(keyText(t.key));
        } else if (dice < 70) {
          await expectSame(tx, working, `op ${op} in transaction`);
        } else if (dice < 76) {
          savepoints.push({ savepoint: tx.savepoint(), model: new Map(working) });
        } else if (dice < 80 && savepoints.length > 0) {
          const { savepoint, model } = savepoints.splice(random.int(savepoints.length))[0]!;
          tx.rollbackTo(savepoint);
          working = model;
        } else if (dice < 92) {
          await tx.commit(++applied);
          committed = new Map(working);
          savepoints.length = 0;
          tx = await engine.begin();
          await expectSame(tx, committed, `op ${op} after commit`);
        } else {
          await tx.rollback();
          working = new Map(committed);
          savepoints.length = 0;
          tx = await engine.begin();
        }
      }
      await tx.commit(++applied);
      await engine.close();
      const reopened = await backend.open();
      const reader = await reopened.begin();
      await expectSame(reader, working, 'after reopen');
      await reader.rollback();
      await reopened.close();
    }, 60_000);
  }

  it('writes nothing and answers false where blocks would skip index, TTL or observers', async () => {
    const backend = await memoryBackend(ROW_LAYOUT);
    backends.push(backend);
    const engine = await backend.open();
    const tx = await engine.begin();
    tx.createTable(TABLE);
    tx.createTable({ ...TABLE, name: 'with_ttl', ttlMs: 60_000 });
    tx.createTable({ ...TABLE, name: 'with_index' });
    await tx.createIndex('with_index', 'by_ts', ['ts']);
    tx.createTable({ ...TABLE, name: 'with_key', primaryKey: ['ts'] });
    const row: Row = ['a', 1, 1];
    expect(await tx.insertAsBlocks('with_ttl', [row], 1)).toBe(false);
    expect(await tx.insertAsBlocks('with_index', [row], 1)).toBe(false);
    expect(await tx.insertAsBlocks('with_key', [row], 1)).toBe(false);
    tx.observeRowChanges(() => undefined);
    expect(await tx.insertAsBlocks('r', [row], 1)).toBe(false);
    tx.observeRowChanges(null);
    for (const table of ['r', 'with_ttl', 'with_index', 'with_key']) expect(await collect(tx.scan(table))).toEqual([]);
    expect(await tx.insertAsBlocks('r', [row], 1)).toBe(true);
    expect((await collect(tx.scan('r'))).map((s) => s.values)).toEqual([row]);
    await tx.rollback();
    await engine.close();
  });
});
