import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { ROW_LAYOUT, blockColumnsOfRows } from '../../src/storage/index.js';
import type { BlockColumns, ColumnInput, Row, SqlValue, StorageEngine, StoredRow, TableDefinition, WriteTransaction } from '../../src/storage/index.js';
import { BACKENDS, collect, memoryBackend } from './backends.js';
import type { Backend } from './backends.js';

const TABLE: TableDefinition = {
  name: 'r', primaryKey: [], ttlMs: null,
  columns: [
    { name: 'device', type: 'STRING', notNull: false },
    { name: 'ts', type: 'INT', notNull: false },
    { name: 'value', type: 'FLOAT', notNull: false },
    { name: 'id', type: 'STRING', notNull: false },
  ],
};

/** Rows by their key (latin1 of its bytes), in key order: what any read of the table must give. */
type Model = Map<string, { key: Uint8Array; row: Row; insertedAtMs: number }>;

const keyText = (key: Uint8Array): string => Buffer.from(key).toString('latin1');
/** A value as storage gives it back: strings through UTF-8 (a lone surrogate becomes U+FFFD). */
const stored = (value: SqlValue): SqlValue => (typeof value === 'string' ? Buffer.from(value).toString() : value);

function randomRow(random: Random, ts: number): SqlValue[] {
  return [random.pick(['a', 'b', 'é', 'a\ud800', null]), random.int(3) === 0 ? null : ts, random.pick([0.5, -2, NaN, null, ts / 7]),
    random.pick([null, 'x', 'a/1'])];
}

/**
 * Rows as columns in each form a column allows (dictionary strings, numbers, `id` joined from
 * device and ts); the rows' ids are rewritten to what the joined form stores.
 */
function asColumns(random: Random, rows: SqlValue[][]): BlockColumns {
  const column = (c: number): SqlValue[] => rows.map((row) => row[c] as SqlValue);
  const [devices, tss, values] = [column(0), column(1), column(2)];
  const columns: ColumnInput[] = blockColumnsOfRows(TABLE.columns.length, rows).columns.slice();
  const deviceStrings = devices.every((d) => d !== null) && random.chance(0.7);
  if (deviceStrings) {
    const entries = [...new Set(devices as string[]), 'unused'];
    columns[0] = { kind: 'strings', entries, indexes: Uint32Array.from(devices, (d) => entries.indexOf(d as string)) };
  }
  const tsNumbers = tss.every((t) => t !== null) && random.chance(0.7);
  if (tsNumbers) columns[1] = { kind: 'numbers', values: Float64Array.from(tss as number[]) };
  if (values.every((v) => v !== null) && random.chance(0.7)) columns[2] = { kind: 'numbers', values: Float64Array.from(values as number[]) };
  if (deviceStrings && tsNumbers && random.chance(0.8)) {
    columns[3] = { kind: 'joined', parts: [0, 1], separator: random.pick(['/', ':', ' - ']) };
    const separator = columns[3].separator;
    for (const row of rows) row[3] = `${Buffer.from(row[0] as string).toString()}${separator}${row[1] as number}`;
  }
  return { length: rows.length, columns };
}

async function expectSame(tx: WriteTransaction, model: Model, where: string): Promise<void> {
  const stored: StoredRow[] = await collect(tx.scan('r'));
  const expected = [...model.values()].sort((a, b) => Buffer.compare(a.key, b.key));
  expect(stored.map((s) => [keyText(s.key), s.values, s.insertedAtMs]), where)
    .toEqual(expected.map((e) => [keyText(e.key), e.row, e.insertedAtMs]));
  // A column scan of the joined column alone (its parts are not asked for) and of its presence.
  const sorted = (values: SqlValue[]): SqlValue[] => values.map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v) as SqlValue);
  for (const presence of [[], [3]]) {
    const ids: SqlValue[] = [];
    for await (const batch of tx.scanColumns('r', [3], undefined, presence)) ids.push(...Array.from(batch.columns[3] as ArrayLike<SqlValue>));
    const want = expected.map((e) => (presence.length > 0 && e.row[3] !== null ? true : e.row[3] as SqlValue));
    expect(sorted(ids.map((id) => (presence.length > 0 && id !== null ? true : id))), `${where}: column scan`).toEqual(sorted(want));
  }
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
          if (asBlocks) expect(await tx.insertAsBlocks('r', asColumns(random, rows), op)).toBe(true);
          else await tx.insertMany('r', rows, op);
          const added = (await collect(tx.scan('r'))).filter((s) => !before.has(keyText(s.key)));
          expect(added.map((s) => s.values), `op ${op}`).toEqual(rows.map((row) => row.map(stored)));
          for (const s of added) working.set(keyText(s.key), { key: s.key, row: s.values, insertedAtMs: op });
        } else if (dice < 40 && working.size > 0) {
          const target = random.pick([...working.values()]);
          const next = randomRow(random, ts++);
          await tx.update('r', target.key, next);
          working.set(keyText(target.key), { ...target, row: next.map(stored) });
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
    const row: Row = ['a', 1, 1, null];
    const one = blockColumnsOfRows(TABLE.columns.length, [row]);
    expect(await tx.insertAsBlocks('with_ttl', one, 1)).toBe(false);
    expect(await tx.insertAsBlocks('with_index', one, 1)).toBe(false);
    expect(await tx.insertAsBlocks('with_key', one, 1)).toBe(false);
    tx.observeRowChanges(() => undefined);
    expect(await tx.insertAsBlocks('r', one, 1)).toBe(false);
    tx.observeRowChanges(null);
    for (const table of ['r', 'with_ttl', 'with_index', 'with_key']) expect(await collect(tx.scan(table))).toEqual([]);
    expect(await tx.insertAsBlocks('r', one, 1)).toBe(true);
    expect((await collect(tx.scan('r'))).map((s) => s.values)).toEqual([row]);
    await tx.rollback();
    await engine.close();
  });
});
