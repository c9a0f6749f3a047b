import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { TEXT_HELD_MAX } from '../../src/sql/statement-guard.js';
import { TRANSACTION_WRITE_BYTES_MAX } from '../../src/storage/write-budget.js';
import { testLayout } from '../helpers/test-layout.js';
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
  /** Copies of each value the statement holds (several GROUP BY keys: as values and inside the group's map key). */
  readonly copies: number;
  /** Rows of `h` whose `d` the statement reads must first hold the long values. */
  readonly readsStored?: boolean;
  /** The characters past which it must end (TEXT_HELD_MAX unless a lower cap binds first). */
  readonly cap?: number;
}

const value = (length: number): string => `lpad(CAST(g AS TEXT), ${length}, 'x')`;
const series = (rows: number): string => `generate_series(1, ${rows}) g`;

const SHAPES: readonly HeldShape[] = [
  { name: 'ORDER BY key', sql: (rows, length) => `SELECT g FROM ${series(rows)} ORDER BY ${value(length)} LIMIT 1`, copies: 1 },
  { name: 'DISTINCT ON key', sql: (rows, length) => `SELECT DISTINCT ON (${value(length)}) g FROM ${series(rows)}`, copies: 1 },
  { name: 'string_agg across groups', sql: (rows, length) => `SELECT count(*) FROM (SELECT string_agg(${value(length)}, ',') AS s FROM ${series(rows)} GROUP BY g) d`, copies: 1 },
  // Its rewritten rows are written too: the write cap of one transaction binds first.
  { name: 'UPDATE', sql: (rows, length) => `UPDATE h SET d = ${value(length).replace('g AS', 'id AS')} WHERE id <= ${rows}`, copies: 1,
    cap: TRANSACTION_WRITE_BYTES_MAX },
  { name: 'GROUP BY key', sql: (rows, length) => `SELECT count(*) FROM ${series(rows)} GROUP BY ${value(length)} LIMIT 1`, copies: 1 },
  { name: 'GROUP BY keys', sql: (rows, length) => `SELECT count(*) FROM ${series(rows)} GROUP BY g, ${value(length)} LIMIT 1`, copies: 2 },
  { name: 'PARTITION BY key', sql: (rows, length) => `SELECT count(*) OVER (PARTITION BY ${value(length)}) FROM ${series(rows)} LIMIT 1`, copies: 1 },
  // The derived table's rows count as it answers, and again as the window holds them.
  { name: 'rows a window holds', sql: (rows, length) => `SELECT row_number() OVER () FROM (SELECT ${value(length)} AS d FROM ${series(rows)}) s LIMIT 1`,
    copies: 2 },
  { name: 'window ORDER BY key', sql: (rows, length) => `SELECT row_number() OVER (ORDER BY ${value(length)}) FROM ${series(rows)} LIMIT 1`, copies: 1 },
  // Each joined table is read whole: h four times holds its text four times (and needs a
  // quarter of the text stored to pass the cap).
  { name: 'joined tables', sql: () => 'SELECT count(*) FROM (SELECT 1 AS one) o JOIN h a ON a.id > 0 JOIN h b ON b.id = a.id ' +
    'JOIN h c ON c.id = a.id JOIN h d ON d.id = a.id', copies: 4, readsStored: true },
];

/** Makes the first `rows` rows of h hold `length`-character values, in statements each under the caps. */
async function storeLong(session: Awaited<ReturnType<typeof newSession>>['session'], rows: number, length: number): Promise<void> {
  const perStatement = Math.floor(TRANSACTION_WRITE_BYTES_MAX / length) - 1;
  for (let first = 1; first <= rows; first += perStatement) {
    const last = Math.min(rows, first + perStatement - 1);
    await session.execute(`UPDATE h SET d = lpad(CAST(id AS TEXT), ${length}, 'x') WHERE id BETWEEN ${first} AND ${last}`);
  }
}

describe('text held by sort, group, partition and join keys, string_agg and UPDATE is capped', () => {
  it('answers under 256 Mi characters and ends with LIMIT_EXCEEDED past them (seed 4141)', async () => {
    const rng = new Random(4141);
    const { session } = await newSession();
    await session.execute('CREATE TABLE h (id INT PRIMARY KEY, d STRING)');
    await session.execute("INSERT INTO h SELECT g, 'a' FROM generate_series(1, 40) g");
    // The joined table must first store 256 Mi characters: on tiny column blocks that alone
    // takes minutes, and what the join counts does not depend on the layout.
    const shapes = testLayout().layout === undefined ? SHAPES : SHAPES.filter((shape) => shape.readsStored !== true);
    for (const shape of shapes) {
      for (const over of [false, true]) {
        const cap = shape.cap ?? TEXT_HELD_MAX;
        // Past the cap within h's 40 rows: a length that 36 rows pass.
        const lengths = [4_000_000, 8_000_000, 16_000_000].filter((l) => !over || 36 * l * shape.copies > cap);
        const length = rng.pick(lengths);
        const limitRows = Math.floor(cap / (length * shape.copies));
        const rows = over ? Math.min(40, limitRows + rng.between(1, 4)) : rng.between(1, Math.min(8, limitRows));
        const expectRefusal = rows * length * shape.copies > cap;
        const sql = shape.sql(rows, length);
        if (shape.readsStored === true) await storeLong(session, rows, length);
        const error = await session.execute(sql).then(() => null, (e: unknown) => e);
        if (expectRefusal) expect(isChronosError(error, 'LIMIT_EXCEEDED'), `${shape.name}: ${sql}: ${String(error)}`).toBe(true);
        else expect(error, `${shape.name}: ${sql}`).toBeNull();
        if (shape.readsStored === true) await session.execute("UPDATE h SET d = 'a'");
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
