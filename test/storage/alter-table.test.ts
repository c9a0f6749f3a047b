import { afterEach, describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import type { StorageEngine, TableDefinition, WriteTransaction } from '../../src/storage/index.js';
import { BACKENDS, collect } from './backends.js';
import type { Backend } from './backends.js';

const READINGS: TableDefinition = {
  name: 'readings',
  columns: [
    { name: 'device', type: 'STRING', notNull: false },
    { name: 'ts', type: 'INT', notNull: false },
    { name: 'temp', type: 'FLOAT', notNull: false },
  ],
  primaryKey: ['device', 'ts'],
  ttlMs: null,
};
const LOG: TableDefinition = { ...READINGS, name: 'log', primaryKey: [] };
const ROWS = 40;

let applied = 0;
async function write(engine: StorageEngine, action: (tx: WriteTransaction) => Promise<unknown>): Promise<void> {
  const tx = await engine.begin();
  await action(tx);
  await tx.commit(++applied);
}

async function rowsOf(engine: StorageEngine, table: string): Promise<unknown[][]> {
  const reader = await engine.reader();
  try {
    return (await collect(reader.scan(table))).map((row) => [...row.values]);
  } finally {
    await reader.close();
  }
}

/** Rows in several commits, so columnar backends hold blocks and head entries at once. */
async function fill(engine: StorageEngine, definition: TableDefinition): Promise<void> {
  await write(engine, async (tx) => tx.createTable(definition));
  for (let batch = 0; batch < 4; batch++) {
    await write(engine, async (tx) => {
      for (let i = batch; i < ROWS; i += 4) await tx.insert(definition.name, [`d${i % 3}`, i, i / 2], 1000 + i);
    });
  }
}

function expected(widen: (i: number) => unknown[]): unknown[][] {
  const rows = Array.from({ length: ROWS }, (_, i) => ({ device: `d${i % 3}`, ts: i, values: widen(i) }));
  rows.sort((a, b) => (a.device === b.device ? a.ts - b.ts : a.device < b.device ? -1 : 1));
  return rows.map((row) => row.values);
}

async function reopened(backend: Backend, engine: StorageEngine): Promise<StorageEngine> {
  await engine.close();
  return backend.open();
}

async function copied(engine: StorageEngine, make: () => Promise<Backend>): Promise<StorageEngine> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of engine.exportSnapshot()) chunks.push(chunk);
  const target = await (await make()).open();
  await target.importSnapshot((async function* () { yield Buffer.concat(chunks); })());
  return target;
}

describe.each(BACKENDS)('ALTER TABLE in storage ($name)', ({ make: makeBackend }) => {
  const open: StorageEngine[] = [];
  const made: Backend[] = [];
  const make = async (): Promise<Backend> => {
    const backend = await makeBackend();
    made.push(backend);
    return backend;
  };
  afterEach(async () => {
    for (const engine of open.splice(0)) await engine.close().catch(() => undefined);
    for (const backend of made.splice(0)) await backend.dispose();
  });

  it('addColumn: old rows and blocks read NULL, new rows keep the value, across restart and snapshot', async () => {
    const backend = await make();
    let engine = await backend.open();
    await fill(engine, READINGS);
    await write(engine, async (tx) => {
      await tx.addColumn('readings', { name: 'humidity', type: 'INT', notNull: false });
      await tx.insert('readings', ['d9', 1, 0.5, 77], 5);
      await tx.update('readings', (await tx.get('readings', ['d0', 0]))?.key as Uint8Array, ['d0', 0, 0, 11]);
    });
    const want = [...expected((i) => [`d${i % 3}`, i, i / 2, i === 0 ? 11 : null]), ['d9', 1, 0.5, 77]];
    expect(await rowsOf(engine, 'readings')).toEqual(want);
    engine = await reopened(backend, engine);
    open.push(engine);
    expect(await rowsOf(engine, 'readings')).toEqual(want);
    const copy = await copied(engine, make);
    open.push(copy);
    expect(await rowsOf(copy, 'readings')).toEqual(want);
  });

  it('addColumn NOT NULL only on an empty table; a duplicate name is refused', async () => {
    const engine = await (await make()).open();
    open.push(engine);
    await fill(engine, LOG);
    const failure = (action: (tx: WriteTransaction) => Promise<unknown>) =>
      write(engine, action).then(() => undefined, (e: unknown) => e);
    const notNull = await failure((tx) => tx.addColumn('log', { name: 'n', type: 'INT', notNull: true }));
    expect(isChronosError(notNull, 'NOT_NULL_VIOLATION'), String(notNull)).toBe(true);
    const twice = await failure((tx) => tx.addColumn('log', { name: 'ts', type: 'INT', notNull: false }));
    expect(String(twice)).toContain('Column ts already exists in table log');
    await write(engine, async (tx) => {
      tx.createTable({ ...LOG, name: 'empty' });
      await tx.addColumn('empty', { name: 'n', type: 'INT', notNull: true });
    });
    const reader = await engine.reader();
    expect(reader.catalog.table('empty')?.columns.at(-1)).toEqual({ name: 'n', type: 'INT', notNull: true });
    await reader.close();
  });

  it('dropColumn rewrites rows and blocks, drops its indexes, renumbers the rest', async () => {
    const backend = await make();
    let engine = await backend.open();
    await fill(engine, READINGS);
    await write(engine, async (tx) => {
      await tx.createIndex('readings', 'by_temp', ['temp']);
      await tx.createIndex('readings', 'by_ts', ['ts']);
      await tx.addColumn('readings', { name: 'extra', type: 'STRING', notNull: false });
    });
    let dropped: readonly string[] = [];
    await write(engine, async (tx) => {
      dropped = await tx.dropColumn('readings', 'temp');
      // The transaction reads its own rewrite: old blocks must not be decoded under the new schema.
      await tx.insert('readings', ['d1', 1000, 'x'], 9);
      await tx.insert('readings', ['d0', 1, 'y'], 9);
      expect((await tx.get('readings', ['d2', 2]))?.values).toEqual(['d2', 2, null]);
    });
    expect(dropped).toEqual(['by_temp']);
    const want = [...expected((i) => [`d${i % 3}`, i, null]), ['d1', 1000, 'x'], ['d0', 1, 'y']].sort((a, b) =>
      a[0] === b[0] ? (a[1] as number) - (b[1] as number) : (a[0] as string) < (b[0] as string) ? -1 : 1);
    expect(await rowsOf(engine, 'readings')).toEqual(want);
    engine = await reopened(backend, engine);
    open.push(engine);
    const reader = await engine.reader();
    const schema = reader.catalog.table('readings');
    expect(schema?.columns.map((c) => c.name)).toEqual(['device', 'ts', 'extra']);
    expect(schema?.indexes.map((i) => [i.name, i.columns])).toEqual([['by_ts', [1]]]);
    const viaIndex = await collect(reader.scanIndex('readings', 'by_ts', { lower: { values: [38], inclusive: true } }));
    expect(viaIndex.map((row) => row.values)).toEqual([['d2', 38, null], ['d0', 39, null], ['d1', 1000, 'x']]);
    await reader.close();
    expect(await rowsOf(engine, 'readings')).toEqual(want);
  });

  it('dropColumn refuses key columns and the only column; a rolled-back drop leaves no trace', async () => {
    const engine = await (await make()).open();
    open.push(engine);
    await fill(engine, READINGS);
    const tx = await engine.begin();
    const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);
    expect(String(await failure(tx.dropColumn('readings', 'ts')))).toContain(
      'Column ts is part of the primary key of table readings and cannot be dropped');
    tx.createTable({ name: 'one', columns: [{ name: 'a', type: 'INT', notNull: false }], primaryKey: [], ttlMs: null });
    expect(String(await failure(tx.dropColumn('one', 'a')))).toContain('Column a is the only column of table one');
    const savepoint = tx.savepoint();
    await tx.dropColumn('readings', 'temp');
    tx.rollbackTo(savepoint);
    expect((await collect(tx.scan('readings'))).map((row) => [...row.values])).toEqual(expected((i) => [`d${i % 3}`, i, i / 2]));
    await tx.commit(++applied);
    expect(await rowsOf(engine, 'readings')).toEqual(expected((i) => [`d${i % 3}`, i, i / 2]));
  });

  it('renameTable and renameColumn change the catalog only, and survive restart', async () => {
    const backend = await make();
    let engine = await backend.open();
    await fill(engine, LOG);
    await write(engine, async (tx) => {
      tx.renameTable('log', 'journal');
      tx.renameColumn('journal', 'temp', 'celsius');
    });
    engine = await reopened(backend, engine);
    open.push(engine);
    const reader = await engine.reader();
    expect(reader.catalog.table('log')).toBeUndefined();
    expect(reader.catalog.table('journal')?.columns.map((c) => c.name)).toEqual(['device', 'ts', 'celsius']);
    expect((await collect(reader.scan('journal'))).length).toBe(ROWS);
    await reader.close();
  });
});
