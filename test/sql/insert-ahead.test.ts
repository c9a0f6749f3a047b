import { describe, expect, it } from 'vitest';
import { applyWriteCommand, type WriteOutcome } from '../../src/sql/execute.js';
import { encodeInsertsAhead } from '../../src/sql/insert-ahead.js';
import { parsedStatements } from '../../src/sql/parsed-statements.js';
import type { StorageEngine, WriteTransaction } from '../../src/storage/index.js';
import { memoryEngine } from './support.js';

const NOW = 1_700_000_000_000;

/** A VALUES list long enough (> 64 KiB) to be parsed and encoded ahead. */
function bulkInsert(table: string, ids: readonly number[], value = (id: number): string => `${id % 97}, ${(id * 0.25).toFixed(2)}`): string {
  return `INSERT INTO ${table} VALUES ${ids.map((id) => `(${id}, ${value(id)})`).join(', ')}`;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

async function apply(engine: StorageEngine, statements: readonly string[], nowMs: number, seen?: boolean[]): Promise<WriteOutcome> {
  const txn = await engine.begin();
  // Records what insertEncoded answered, so a test knows which path the rows took.
  const watched = seen === undefined ? txn : new Proxy(txn, {
    get(target, property) {
      if (property === 'insertEncoded') {
        return async (...args: Parameters<WriteTransaction['insertEncoded']>) => {
          const stored = await target.insertEncoded(...args);
          seen.push(stored);
          return stored;
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const outcome = await applyWriteCommand({ statements, nowMs }, watched);
  await txn.commit(engine.appliedIndex + 1);
  return outcome;
}

/** Every byte of the engine's state. */
async function image(engine: StorageEngine): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of engine.exportSnapshot()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

interface Scenario {
  readonly setup: readonly string[];
  readonly bulk: string;
  /** Applied after the rows were encoded ahead and before the bulk INSERT applies. */
  readonly between?: readonly string[];
  /** The time the apply runs with, when not the time the rows were encoded for. */
  readonly applyNowMs?: number;
}

/**
 * The same history on two engines, one applying the bulk INSERT the ordinary way and one with
 * its rows encoded ahead: outcomes and every stored byte must be equal. Returns what
 * insertEncoded answered on the second.
 */
async function compare(scenario: Scenario): Promise<boolean[]> {
  const [plain, ahead] = [await memoryEngine(), await memoryEngine()];
  for (const engine of [plain, ahead]) for (const sql of scenario.setup) await apply(engine, [sql], NOW);
  await parsedStatements.prepare(scenario.bulk);
  await encodeInsertsAhead([scenario.bulk], () => ahead.catalog, NOW);
  for (const engine of [plain, ahead]) for (const sql of scenario.between ?? []) await apply(engine, [sql], NOW);
  const seen: boolean[] = [];
  const nowMs = scenario.applyNowMs ?? NOW;
  // The engine with rows encoded ahead applies first: it takes the kept tree, as the proposer does.
  const got = await apply(ahead, [scenario.bulk], nowMs, seen);
  expect(got).toEqual(await apply(plain, [scenario.bulk], nowMs));
  expect((await image(ahead)).equals(await image(plain))).toBe(true);
  await plain.close();
  await ahead.close();
  return seen;
}

const BIG = 'CREATE TABLE big (id INT PRIMARY KEY, g INT, v FLOAT)';

describe('rows of a bulk INSERT encoded before it enters the log', () => {
  it('are stored as they are, giving what the ordinary insert gives', async () => {
    expect(await compare({ setup: [BIG], bulk: bulkInsert('big', range(0, 4_000)) })).toEqual([true]);
    expect(await compare({ setup: [BIG, 'INSERT INTO big VALUES (-5, 1, 1)'], bulk: bulkInsert('big', range(0, 4_000)) }))
      .toEqual([true]);
  });

  it('are not used when a row was written meanwhile inside their key range (a duplicate key)', async () => {
    const seen = await compare({ setup: [BIG], bulk: bulkInsert('big', range(0, 4_000)), between: ['INSERT INTO big VALUES (50, 1, 1)'] });
    expect(seen).toEqual([false]);
  });

  it('are not used when the table changed meanwhile, or the apply runs at another time', async () => {
    expect(await compare({ setup: [BIG], bulk: bulkInsert('big', range(0, 4_000)), between: ['ALTER TABLE big ADD COLUMN note STRING'] }))
      .toEqual([false]);
    expect(await compare({ setup: [BIG], bulk: bulkInsert('big', range(0, 4_000)), applyNowMs: NOW + 1 })).toEqual([]);
  });

  it('take hidden row ids from the counter at apply, after rows written meanwhile', async () => {
    const setup = ['CREATE TABLE log (a INT, b INT, c FLOAT)', 'INSERT INTO log VALUES (1, 2, 3)'];
    expect(await compare({ setup, bulk: bulkInsert('log', range(0, 4_000)), between: ['INSERT INTO log VALUES (4, 5, 6)'] }))
      .toEqual([true]);
  });

  it('are not encoded for keys out of order, values that fail a check, or a table with an index', async () => {
    expect(await compare({ setup: [BIG], bulk: bulkInsert('big', range(0, 4_000).reverse()) })).toEqual([]);
    expect(await compare({ setup: [BIG], bulk: bulkInsert('big', range(0, 4_000), (id) => (id === 3_000 ? "'x', 1" : '1, 2')) }))
      .toEqual([]);
    expect(await compare({ setup: [BIG, 'CREATE INDEX big_g ON big (g)'], bulk: bulkInsert('big', range(0, 4_000)) })).toEqual([]);
  });

  it('fold into column blocks on a columnar table', async () => {
    const setup = ["CREATE TABLE m (id INT PRIMARY KEY, g INT, v FLOAT) WITH (layout = 'columnar')"];
    expect(await compare({ setup, bulk: bulkInsert('m', range(0, 4_000)) })).toEqual([true]);
  });
});
