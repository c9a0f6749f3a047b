import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { TRANSACTION_WRITE_BYTES_MAX } from '../../src/storage/write-budget.js';
import { testLayout } from '../helpers/test-layout.js';
import { newSession, rowsOf } from './support.js';

/**
 * One transaction writes at most TRANSACTION_WRITE_BYTES_MAX bytes: LevelDB copies its batch
 * whole at each doubling, on the event loop (an INSERT ... SELECT of 160 MB held a node 1.4 s).
 * Writes are drawn as statements of `rows` rows of `length` characters, most well under or
 * over the cap (a row's key and encoding add a few dozen bytes, so draws within 1% of it are
 * left out), alone and accumulated in one transaction.
 */
type Session = Awaited<ReturnType<typeof newSession>>['session'];

const MiB = 1024 * 1024;
const CAP = TRANSACTION_WRITE_BYTES_MAX;

interface WriteShape {
  readonly name: string;
  /** The statement writing rows first..first+rows-1 of `length` characters. */
  readonly sql: (first: number, rows: number, length: number) => string;
}

const text = (length: number, of = 'g'): string => `lpad(CAST(${of} AS TEXT), ${length}, 'x')`;

const SHAPES: readonly WriteShape[] = [
  { name: 'INSERT ... SELECT', sql: (first, rows, length) =>
    `INSERT INTO w SELECT g, ${text(length)} FROM generate_series(${first}, ${first + rows - 1}) g` },
  { name: 'INSERT ... VALUES', sql: (first, rows, length) =>
    `INSERT INTO w VALUES ${Array.from({ length: rows }, (_, i) => `(${first + i}, ${text(length, String(first + i))})`).join(', ')}` },
  { name: 'INSERT ... ON CONFLICT DO UPDATE', sql: (first, rows, length) =>
    `INSERT INTO w SELECT g, ${text(length)} FROM generate_series(${first}, ${first + rows - 1}) g ON CONFLICT (id) DO UPDATE SET d = excluded.d` },
];

/** Rows in w, and their characters. */
async function stored(session: Session): Promise<[number, number]> {
  const [[count, characters]] = rowsOf(await session.execute('SELECT count(*), coalesce(sum(length(d)), 0) FROM w')) as [[number, number]];
  return [Number(count), Number(characters)];
}

/** Draws a statement's rows and length, at least 1% away from the cap on the side asked. */
function draw(rng: Random, over: boolean, budget: number): { rows: number; length: number } {
  const length = rng.pick([1 * MiB, 2 * MiB, 5 * MiB]);
  const fits = Math.floor((budget * 0.99) / length);
  const rows = over ? Math.ceil((budget * 1.01) / length) + rng.between(0, 3) : rng.between(1, Math.max(1, fits));
  return { rows, length };
}

describe(`one transaction writes at most ${CAP / MiB} MiB`, () => {
  it('a statement under the cap writes; one over it ends with LIMIT_EXCEEDED and writes nothing (seed 6060)', async () => {
    const rng = new Random(6060);
    const { session } = await newSession();
    await session.execute('CREATE TABLE w (id INT PRIMARY KEY, d STRING)');
    for (let round = 0; round < 6; round++) {
      const shape = SHAPES[round % SHAPES.length] as WriteShape;
      const over = rng.chance(0.5);
      const { rows, length } = draw(rng, over, CAP);
      const sql = shape.sql(1, rows, length);
      const error = await session.execute(sql).then(() => null, (e: unknown) => e);
      const what = `${shape.name} of ${rows} x ${length}: ${String(error)}`;
      if (over) {
        expect(isChronosError(error, 'LIMIT_EXCEEDED'), what).toBe(true);
        expect(await stored(session), what).toEqual([0, 0]);
      } else {
        expect(error, what).toBeNull();
        expect(await stored(session), what).toEqual([rows, rows * length]);
      }
      await session.execute('DELETE FROM w');
    }
  }, 120_000);

  it('statements add up in a transaction: the one that crosses the cap is refused, the others commit', async () => {
    const rng = new Random(6061);
    const { session } = await newSession();
    await session.execute('CREATE TABLE w (id INT PRIMARY KEY, d STRING)');
    await session.execute('BEGIN');
    const first = draw(rng, false, CAP / 2);
    await session.execute((SHAPES[0] as WriteShape).sql(1, first.rows, first.length));
    const crossing = draw(rng, true, CAP - first.rows * first.length);
    const error = await session.execute((SHAPES[0] as WriteShape).sql(1_000, crossing.rows, crossing.length)).then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    await session.execute('COMMIT');
    expect(await stored(session)).toEqual([first.rows, first.rows * first.length]);
  }, 60_000);

  // Filling tiny column blocks with 100 MiB takes long; deletes are counted alike in every layout.
  it.runIf(testLayout().layout === undefined)('DELETE and DROP TABLE of a table larger than the cap go through (deletes are a key each)', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE w (id INT PRIMARY KEY, d STRING)');
    const length = 4 * MiB;
    const perStatement = Math.floor((CAP * 0.9) / length);
    const fill = async (): Promise<void> => {
      for (let first = 1; first <= 2 * perStatement; first += perStatement) {
        await session.execute((SHAPES[0] as WriteShape).sql(first, perStatement, length));
      }
    };
    await fill();
    expect((await stored(session))[1]).toBeGreaterThan(CAP);
    await session.execute('DELETE FROM w');
    expect(await stored(session)).toEqual([0, 0]);
    await fill();
    await session.execute('DROP TABLE w');
    expect(rowsOf(await session.execute('SHOW TABLES'))).toEqual([]);
  }, 60_000);
});
