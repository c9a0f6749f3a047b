import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/index.js';
import { applyCommittedEntries } from '../../src/node/apply.js';
import { encodeReplicatedCommand } from '../../src/node/replicated-command.js';
import type { Entry } from '../../src/raft/index.js';
import { executeInTransaction, executeRead } from '../../src/sql/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine, WriteTransaction } from '../../src/storage/index.js';
import { newMemoryLevel } from '../storage/backends.js';

const MIB = 1024 * 1024;
const entry = (index: number, data: Uint8Array): Entry => ({ index, term: 1, type: 'command', data });
const proposals = { applied: () => undefined } as never;
const apply = (engine: StorageEngine, entries: Entry[]): Promise<void> =>
  applyCommittedEntries(engine, entries, proposals, silentLogger, { sync: false, capture: null });
/** An INSERT of `rows` rows into u, each with a `mib` MiB string: a write of rows x mib MiB. */
const insert = (from: number, rows: number, mib: number): Uint8Array => encodeReplicatedCommand({ kind: 'sqlWrite', write: {
  nowMs: 0, statements: [`INSERT INTO u VALUES ${Array.from({ length: rows }, (_, i) => `(${from + i}, lpad('', ${mib * MIB}, 'x'))`).join(', ')}`],
} });

async function read(engine: StorageEngine, sql: string): Promise<unknown> {
  const reader = await engine.reader();
  const result = await executeRead(sql, reader, 0);
  await reader.close();
  return result.kind === 'rows' ? result.rows : result;
}

const BIG_KEY = 12 * MIB;
/** Entries the set-up commits as (the log indexes the tested entries follow). */
const SETUP = 6;

/** t has rows keyed 'a', then two keys of 12 MiB; its index by_g is built up to the first big key. */
const opened: StorageEngine[] = [];
afterEach(async () => {
  for (const engine of opened.splice(0)) await engine.close();
});

async function fresh(): Promise<StorageEngine> {
  const engine = await openStorage({ level: newMemoryLevel() });
  opened.push(engine);
  const steps: Array<(tx: WriteTransaction) => Promise<unknown>> = [
    (tx) => executeInTransaction('CREATE TABLE u (id INT PRIMARY KEY, s STRING)', tx, 0),
    (tx) => executeInTransaction('CREATE TABLE t (k STRING PRIMARY KEY, g INT)', tx, 0),
    (tx) => tx.insert('t', ['a', 1], 0),
    (tx) => tx.insert('t', ['b'.repeat(BIG_KEY), 2], 0),
    (tx) => tx.insert('t', ['c'.repeat(BIG_KEY), 3], 0),
    (tx) => tx.createIndex('t', 'by_g', ['g'], 1),
  ];
  expect(steps.length).toBe(SETUP);
  for (const [at, step] of steps.entries()) {
    const tx = await engine.begin();
    await step(tx);
    await tx.commit(at + 1);
  }
  return engine;
}

/**
 * The 60 MiB write budget counts a whole apply transaction, and replicas batch entries apart:
 * a leader applies what it has, a follower what it was sent. Each entry must come out as if it
 * were applied alone, or replicas diverge (or one stops on an error the others never met).
 */
describe('the write budget and apply batches', () => {
  it('two 32 MiB INSERTs store the same rows batched together or apart', async () => {
    const apart = await fresh();
    await apply(apart, [entry(SETUP + 1, insert(0, 2, 16))]);
    await apply(apart, [entry(SETUP + 2, insert(10, 2, 16))]);
    const together = await fresh();
    await apply(together, [entry(SETUP + 1, insert(0, 2, 16)), entry(SETUP + 2, insert(10, 2, 16))]);
    expect(await read(apart, 'SELECT count(*) FROM u')).toEqual([[4]]);
    expect(await read(together, 'SELECT count(*) FROM u')).toEqual([[4]]);
    expect(together.appliedIndex).toBe(SETUP + 2);
  });

  it('an index-build pass after a 48 MiB write applies, moving a 12 MiB cursor, batched or not', async () => {
    const pass = encodeReplicatedCommand({ kind: 'indexBuild', rowsMax: 1 });
    const together = await fresh();
    await apply(together, [entry(SETUP + 1, insert(0, 3, 16)), entry(SETUP + 2, pass)]);
    const apart = await fresh();
    await apply(apart, [entry(SETUP + 1, insert(0, 3, 16))]);
    await apply(apart, [entry(SETUP + 2, pass)]);
    for (const engine of [together, apart]) {
      expect(engine.appliedIndex).toBe(SETUP + 2);
      const cursor = engine.catalog.table('t')?.indexes[0]?.buildFrom;
      expect(cursor?.length).toBeGreaterThan(BIG_KEY);
      expect(await read(engine, 'SELECT count(*) FROM u')).toEqual([[3]]);
    }
  });
});
