import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { TEXT_HELD_MAX } from '../../src/sql/statement-guard.js';
import { newSession, rowsOf } from './support.js';

/**
 * Statements whose rows hold long text where it was not counted (the third hunt: each ran a
 * node out of heap at a few hundred 16 MB values). Drawn with a row count and a value length,
 * each must answer when the text it holds is under TEXT_HELD_MAX and end with LIMIT_EXCEEDED
 * past it, with nothing written.
 */
interface HeldShape {
  readonly name: string;
  /** The statement over `rows` values of `length` characters. */
  readonly sql: (rows: number, length: number) => string;
  /** Copies of each value the statement holds (DISTINCT ON evaluates its key as a sort key and as the key). */
  readonly copies: number;
}

const value = (length: number): string => `lpad(CAST(g AS TEXT), ${length}, 'x')`;

const SHAPES: readonly HeldShape[] = [
  { name: 'ORDER BY key', sql: (rows, length) => `SELECT g FROM generate_series(1, ${rows}) g ORDER BY ${value(length)} LIMIT 1`, copies: 1 },
  { name: 'DISTINCT ON key', sql: (rows, length) => `SELECT DISTINCT ON (${value(length)}) g FROM generate_series(1, ${rows}) g`, copies: 2 },
  { name: 'string_agg across groups', sql: (rows, length) => `SELECT count(*) FROM (SELECT string_agg(${value(length)}, ',') AS s FROM generate_series(1, ${rows}) g GROUP BY g) d`, copies: 1 },
  { name: 'UPDATE', sql: (rows, length) => `UPDATE h SET d = ${value(length).replace('g AS', 'id AS')} WHERE id <= ${rows}`, copies: 1 },
];

describe('text held by sort keys, string_agg and UPDATE is capped', () => {
  it('answers under 256 Mi characters and ends with LIMIT_EXCEEDED past them (seed 4141)', async () => {
    const rng = new Random(4141);
    const { session } = await newSession();
    await session.execute('CREATE TABLE h (id INT PRIMARY KEY, d STRING)');
    await session.execute("INSERT INTO h SELECT g, 'a' FROM generate_series(1, 40) g");
    for (const shape of SHAPES) {
      for (const over of [false, true]) {
        const length = rng.pick([4_000_000, 8_000_000, 16_000_000]);
        const limitRows = Math.floor(TEXT_HELD_MAX / (length * shape.copies));
        const rows = over ? Math.min(40, limitRows + rng.between(1, 4)) : rng.between(1, Math.min(8, limitRows));
        const expectRefusal = rows * length * shape.copies > TEXT_HELD_MAX;
        const sql = shape.sql(rows, length);
        const error = await session.execute(sql).then(() => null, (e: unknown) => e);
        if (expectRefusal) expect(isChronosError(error, 'LIMIT_EXCEEDED'), `${shape.name}: ${sql}: ${String(error)}`).toBe(true);
        else expect(error, `${shape.name}: ${sql}`).toBeNull();
        if (shape.name === 'UPDATE') {
          // Refused: nothing written; answered: written, then put back for the next draw.
          const [[longest]] = rowsOf(await session.execute('SELECT max(length(d)) FROM h')) as [[number]];
          expect(longest, sql).toBe(expectRefusal ? 1 : length);
          await session.execute("UPDATE h SET d = 'a'");
        }
      }
    }
  }, 120_000);
});
