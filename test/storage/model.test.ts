import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import type {
  KeyBound,
  KeyRange,
  StorageEngine,
  StorageReader,
  WriteTransaction,
} from '../../src/storage/index.js';
import type { SqlValue } from '../../src/storage/values.js';
import { BACKENDS, collect } from './backends.js';
import type { Backend } from './backends.js';

// Model: table t(g INT, s STRING, v FLOAT, b BOOLEAN, PRIMARY KEY (g, s)) with index by_v(v).
type ModelRow = [number, string, number | null, boolean];
const G_VALUES = [-3, -1, 0, 1, 2, 3];
const S_VALUES = ['', 'a', 'a\u0000', 'ab', 'b', 'é'];
const V_VALUES = [null, -1.5, 0, -0, 2, NaN, 7, 0.1 + 0.2, 5e-324];

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareFloat(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (Number.isNaN(a) || Number.isNaN(b))
    return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePk(a: readonly SqlValue[], b: readonly SqlValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order =
      i === 0
        ? Math.sign((a[i] as number) - (b[i] as number))
        : compareUtf8(a[i] as string, b[i] as string);
    if (order !== 0) return order;
  }
  return 0;
}

function inRange(
  key: readonly SqlValue[],
  range: KeyRange,
  compare: (a: readonly SqlValue[], b: readonly SqlValue[]) => number,
): boolean {
  const check = (bound: KeyBound | undefined, lower: boolean): boolean => {
    if (bound === undefined) return true;
    const order = compare(key.slice(0, bound.values.length), bound.values);
    if (lower) return bound.inclusive ? order >= 0 : order > 0;
    return bound.inclusive ? order <= 0 : order < 0;
  };
  return check(range.lower, true) && check(range.upper, false);
}

function pkOf(row: ModelRow): string {
  return JSON.stringify([row[0], row[1]]);
}

class Model {
  rows = new Map<string, ModelRow>();

  clone(): Model {
    const copy = new Model();
    copy.rows = new Map(this.rows);
    return copy;
  }

  scan(range: KeyRange, reverse: boolean): ModelRow[] {
    const out = [...this.rows.values()]
      .filter((row) => inRange([row[0], row[1]], range, comparePk))
      .sort((a, b) => comparePk([a[0], a[1]], [b[0], b[1]]));
    return reverse ? out.reverse() : out;
  }

  scanIndex(range: KeyRange): ModelRow[] {
    const compareV = (a: readonly SqlValue[], b: readonly SqlValue[]): number =>
      a.length === 0 || b.length === 0
        ? 0
        : compareFloat(a[0] as number | null, b[0] as number | null);
    return [...this.rows.values()]
      .filter((row) => inRange([row[2]], range, compareV))
      .sort((a, b) => compareFloat(a[2], b[2]) || comparePk([a[0], a[1]], [b[0], b[1]]));
  }
}

function randomRow(random: Random): ModelRow {
  return [random.pick(G_VALUES), random.pick(S_VALUES), random.pick(V_VALUES), random.chance(0.5)];
}

function randomBound(random: Random, values: () => SqlValue[]): KeyBound | undefined {
  if (random.chance(0.3)) return undefined;
  return { values: values(), inclusive: random.chance(0.5) };
}

function randomPkRange(random: Random): KeyRange {
  const values = (): SqlValue[] =>
    random.chance(0.4) ? [random.pick(G_VALUES)] : [random.pick(G_VALUES), random.pick(S_VALUES)];
  const lower = randomBound(random, values);
  const upper = randomBound(random, values);
  return { ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
}

function randomIndexRange(random: Random): KeyRange {
  const values = (): SqlValue[] => [random.pick(V_VALUES)];
  const lower = randomBound(random, values);
  const upper = randomBound(random, values);
  return { ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
}

async function codeOf(action: Promise<unknown>): Promise<string> {
  try {
    await action;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

async function checkScans(
  view: StorageReader,
  model: Model,
  random: Random,
  what: string,
): Promise<void> {
  const range = randomPkRange(random);
  const reverse = random.chance(0.3);
  const actual = (await collect(view.scan('t', range, { reverse }))).map((r) => r.values);
  expect(actual, `${what} scan ${JSON.stringify(range)} reverse=${reverse}`).toEqual(
    model.scan(range, reverse),
  );
  const indexRange = randomIndexRange(random);
  const viaIndex = (await collect(view.scanIndex('t', 'by_v', indexRange))).map((r) => r.values);
  expect(viaIndex, `${what} scanIndex ${JSON.stringify(indexRange)}`).toEqual(
    model.scanIndex(indexRange),
  );
}

/**
 * A bulk insert of 1-6 rows, in key order or not, sometimes with a key already present or
 * repeated: all rows land, or (on a duplicate) none do.
 */
async function insertManyAgainstModel(tx: WriteTransaction, model: Model, random: Random, op: number): Promise<void> {
  const rows = Array.from({ length: 1 + random.int(6) }, () => randomRow(random));
  if (random.chance(0.6)) rows.sort((a, b) => comparePk([a[0], a[1]], [b[0], b[1]]));
  const keys = rows.map(pkOf);
  const duplicate = keys.some((key, i) => model.rows.has(key) || keys.indexOf(key) !== i);
  const expected = duplicate ? 'DUPLICATE_KEY' : 'ok';
  expect(await codeOf(tx.insertMany('t', rows, op)), `insertMany ${JSON.stringify(rows)}`).toBe(expected);
  if (expected === 'ok') for (const row of rows) model.rows.set(pkOf(row), row);
}

describe.each(BACKENDS)('model-based operations on $name', ({ make }) => {
  let backend: Backend | undefined;
  let engine: StorageEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    await backend?.dispose();
  });

  it.each([1, 2])(
    'seed %i: random insert/update/delete/scan agree with the model',
    async (seed) => {
      const random = new Random(seed * 7919);
      backend = await make();
      engine = await backend.open();
      let committed = new Model();
      let applied = 0;
      const setup = await engine.begin();
      setup.createTable({
        name: 't',
        columns: [
          { name: 'g', type: 'INT', notNull: false },
          { name: 's', type: 'STRING', notNull: false },
          { name: 'v', type: 'FLOAT', notNull: false },
          { name: 'b', type: 'BOOLEAN', notNull: false },
        ],
        primaryKey: ['g', 's'],
        ttlMs: null,
      });
      await setup.createIndex('t', 'by_v', ['v']);
      await setup.commit(++applied);

      let tx: WriteTransaction = await engine.begin();
      let working = committed.clone();
      const savepoints: { savepoint: number; model: Model }[] = [];
      const OPS = 2000;
      for (let op = 0; op < OPS; op++) {
        const dice = random.int(100);
        if (dice < 12) {
          await insertManyAgainstModel(tx, working, random, op);
        } else if (dice < 30) {
          const row = randomRow(random);
          const expected = working.rows.has(pkOf(row)) ? 'DUPLICATE_KEY' : 'ok';
          expect(await codeOf(tx.insert('t', row, op)), `insert ${JSON.stringify(row)}`).toBe(
            expected,
          );
          if (expected === 'ok') working.rows.set(pkOf(row), row);
        } else if (dice < 45 && working.rows.size > 0) {
          const target = random.pick([...working.rows.values()]);
          const [stored] = await collect(
            tx.scan('t', {
              lower: { values: [target[0], target[1]], inclusive: true },
              upper: { values: [target[0], target[1]], inclusive: true },
            }),
          );
          expect(stored?.values).toEqual(target);
          const next = randomRow(random);
          if (random.chance(0.5)) [next[0], next[1]] = [target[0], target[1]];
          const moved = pkOf(next) !== pkOf(target);
          const expected = moved && working.rows.has(pkOf(next)) ? 'DUPLICATE_KEY' : 'ok';
          expect(await codeOf(tx.update('t', stored!.key, next))).toBe(expected);
          if (expected === 'ok') {
            working.rows.delete(pkOf(target));
            working.rows.set(pkOf(next), next);
          }
        } else if (dice < 55 && working.rows.size > 0) {
          const target = random.pick([...working.rows.values()]);
          const found = await tx.get('t', [target[0], target[1]]);
          await tx.delete('t', found!.key);
          working.rows.delete(pkOf(target));
        } else if (dice < 75) {
          await checkScans(tx, working, random, `op ${op} tx`);
        } else if (dice < 80) {
          savepoints.push({ savepoint: tx.savepoint(), model: working.clone() });
        } else if (dice < 84 && savepoints.length > 0) {
          const { savepoint, model } = savepoints.splice(random.int(savepoints.length))[0]!;
          tx.rollbackTo(savepoint);
          working = model;
        } else if (dice < 92) {
          await tx.commit(++applied);
          committed = working;
          working = committed.clone();
          savepoints.length = 0;
          tx = await engine.begin();
        } else if (dice < 95) {
          await tx.rollback();
          working = committed.clone();
          savepoints.length = 0;
          tx = await engine.begin();
        } else if (dice < 96) {
          // ADD then DROP COLUMN: the schema ends as it was, but every row is rewritten in this
          // transaction (a columnar table's blocks deleted, its rows re-put): later inserts of
          // keys that were in those blocks must still be refused as duplicates.
          await tx.addColumn('t', { name: 'extra', type: 'INT', notNull: false });
          expect(await tx.dropColumn('t', 'extra')).toEqual([]);
        } else if (dice < 98) {
          const reader = await engine.reader();
          await checkScans(reader, committed, random, `op ${op} reader`);
          await reader.close();
        } else {
          await tx.rollback();
          await engine.close();
          engine = await backend.open();
          expect(engine.appliedIndex).toBe(applied);
          working = committed.clone();
          savepoints.length = 0;
          tx = await engine.begin();
        }
      }
      await tx.commit(++applied);
      const reader = await engine.reader();
      const everything = (await collect(reader.scan('t'))).map((r) => r.values);
      expect(everything).toEqual(working.scan({}, false));
      await reader.close();
    },
  );
});
