import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { newSession, rowsOf } from './support.js';

/**
 * A subquery's runtime error (here a division by zero) is raised only where its value is
 * needed, as PostgreSQL does: not for outer rows WHERE leaves out, nor in a CASE arm or a
 * coalesce argument not evaluated. Correlated subqueries were answered for every row of the
 * outer FROM first, so `SELECT (SELECT 100 / t.n) FROM t WHERE id = 2` failed on another row.
 * Tables and guards are drawn; the expected answer is computed here.
 */
type Expected = { readonly rows: readonly (readonly unknown[])[] } | 'error';

interface Shape {
  readonly name: string;
  readonly sql: (k: number) => string;
  readonly expected: (ns: readonly number[], k: number) => Expected;
}

const quotient = (n: number): number => Math.trunc(100 / n);
const ids = (ns: readonly number[]): number[] => ns.map((_, i) => i + 1);

type Session = Awaited<ReturnType<typeof newSession>>['session'];

/** A fresh session whose table t (id, n) holds 2-7 rows of n drawn from 0..3. */
async function drawnTable(rng: Random): Promise<{ session: Session; ns: number[] }> {
  const { session } = await newSession();
  const ns = Array.from({ length: rng.between(2, 7) }, () => rng.between(0, 3));
  await session.execute('CREATE TABLE t (id INT PRIMARY KEY, n INT)');
  await session.execute(`INSERT INTO t VALUES ${ns.map((n, i) => `(${i + 1}, ${n})`).join(', ')}`);
  return { session, ns };
}

/** Runs `sql` and checks its rows, or that it ended with INVALID_ARGUMENT. */
async function expectOutcome(session: Session, sql: string, expected: Expected, what: string): Promise<void> {
  const outcome = await session.execute(sql).then((result) => ({ rows: rowsOf(result) }), (error: unknown) => error);
  if (expected === 'error') expect(isChronosError(outcome, 'INVALID_ARGUMENT'), `${what}: ${String(outcome)}`).toBe(true);
  else expect(outcome, what).toEqual(expected);
}

const SHAPES: readonly Shape[] = [
  { name: 'correlated, WHERE leaves the zeros out', sql: (k) => `SELECT id, (SELECT 100 / t.n) FROM t WHERE n > ${k} ORDER BY id`,
    expected: (ns, k) => (k < 0 && ns.includes(0) ? 'error'
      : { rows: ids(ns).filter((id) => (ns[id - 1] as number) > k).map((id) => [id, quotient(ns[id - 1] as number)]) }) },
  { name: 'correlated, in a CASE arm', sql: (k) => `SELECT id, CASE WHEN n > ${k} THEN (SELECT 100 / t.n) END FROM t ORDER BY id`,
    expected: (ns, k) => (k < 0 && ns.includes(0) ? 'error'
      : { rows: ids(ns).map((id) => [id, (ns[id - 1] as number) > k ? quotient(ns[id - 1] as number) : null]) }) },
  { name: 'uncorrelated, in a CASE arm', sql: (k) => `SELECT id, CASE WHEN n > ${k} THEN (SELECT 1 / w FROM u) END FROM t ORDER BY id`,
    expected: (ns, k) => (ns.some((n) => n > k) ? 'error' : { rows: ids(ns).map((id) => [id, null]) }) },
  { name: 'uncorrelated, a coalesce argument', sql: (k) => `SELECT id, coalesce(CASE WHEN n > ${k} THEN NULL ELSE id END, (SELECT 1 / w FROM u)) FROM t ORDER BY id`,
    expected: (ns, k) => (ns.some((n) => n > k) ? 'error' : { rows: ids(ns).map((id) => [id, id]) }) },
  { name: 'correlated EXISTS behind a filter', sql: (k) => `SELECT id FROM t WHERE n > ${k} AND EXISTS (SELECT 1 / t.n) ORDER BY id`,
    expected: (ns, k) => (k < 0 && ns.includes(0) ? 'error' : { rows: ids(ns).filter((id) => (ns[id - 1] as number) > k).map((id) => [id]) }) },
];

describe('an error in a subquery is raised only where its value is needed', () => {
  it('in WHERE-filtered rows, CASE arms and coalesce arguments (seed 5150)', async () => {
    const rng = new Random(5150);
    for (let round = 0; round < 6; round++) {
      const { session, ns } = await drawnTable(rng);
      await session.execute('CREATE TABLE u (k INT PRIMARY KEY, w INT)');
      await session.execute('INSERT INTO u VALUES (1, 0)');
      for (const shape of SHAPES) {
        const k = rng.between(-1, 3);
        const sql = shape.sql(k);
        await expectOutcome(session, sql, shape.expected(ns, k), `${shape.name}, n = ${ns.join(',')}: ${sql}`);
      }
      // A write: only the row it changes needs the subquery's value.
      const target = rng.between(1, ns.length);
      const update = await session.execute(`UPDATE t SET n = (SELECT 100 / t.n) WHERE id = ${target}`).then(() => null, (e: unknown) => e);
      if (ns[target - 1] === 0) expect(isChronosError(update, 'INVALID_ARGUMENT')).toBe(true);
      else expect(update).toBeNull();
    }
  });
});

describe('BETWEEN evaluates its high bound only when the low one does not decide', () => {
  it('as `x >= lo AND x <= hi` would (seed 5151)', async () => {
    // `id BETWEEN 3 AND 10 / n` failed on a row with id < 3 and n = 0; PostgreSQL answers false.
    const rng = new Random(5151);
    for (let round = 0; round < 8; round++) {
      const { session, ns } = await drawnTable(rng);
      const low = rng.between(1, 8);
      const negated = rng.chance(0.5);
      const sql = `SELECT id, id ${negated ? 'NOT ' : ''}BETWEEN ${low} AND 10 / n FROM t ORDER BY id`;
      const needsHigh = ids(ns).filter((id) => id >= low);
      const expected: Expected = needsHigh.some((id) => ns[id - 1] === 0) ? 'error'
        : { rows: ids(ns).map((id) => [id, (id >= low && id <= Math.trunc(10 / (ns[id - 1] as number))) !== negated]) };
      await expectOutcome(session, sql, expected, `n = ${ns.join(',')}: ${sql}`);
    }
  });
});

describe('a correlated subquery is answered for the rows WHERE keeps', () => {
  it('so a selective WHERE over a large table stays under the 10,000 outer values', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE big (id INT PRIMARY KEY, v INT)');
    await session.execute('INSERT INTO big SELECT g, g % 7 FROM generate_series(1, 12000) g');
    expect(rowsOf(await session.execute('SELECT id, (SELECT big.v + 1) FROM big WHERE id = 5'))).toEqual([[5, 6]]);
    expect(await session.execute('UPDATE big SET v = (SELECT big.id * 2) WHERE id BETWEEN 10 AND 12')).toMatchObject({ rowsAffected: 3 });
    expect(rowsOf(await session.execute('SELECT v FROM big WHERE id BETWEEN 9 AND 13 ORDER BY id'))).toEqual([[2], [20], [22], [24], [6]]);
    // A WHERE that fails on a row the statement never reaches (it stops at its LIMIT), or that
    // names an output column (an error of the statement's own): the values of every row, as before.
    expect(rowsOf(await session.execute('SELECT id, (SELECT big.v + 1) FROM big WHERE id < 6 AND 10 / (id - 3) <> 0 ORDER BY id LIMIT 1')))
      .toEqual([[1, 2]]);
    const alias = await session.execute('SELECT id, (SELECT big.v + 1) AS x FROM big WHERE x > 2').then(() => null, (e: unknown) => e);
    expect(String(alias)).not.toContain('(in a subquery)');
    // A WHERE holding the subquery itself cannot narrow its own values: over every row, refused.
    const error = await session.execute('SELECT id FROM big WHERE (SELECT big.id) = 5').then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
  });
});

describe('correlated and LATERAL answers tell -0.0 from 0.0', () => {
  it('each row gets the answer for its own sign of zero (seed 5152)', async () => {
    // SQL DISTINCT takes the two zeros as one outer value: the subquery ran once, for the first
    // sign seen, and `atan2(t.f, -1)` gave the 0.0 row -pi.
    const rng = new Random(5152);
    for (let round = 0; round < 6; round++) {
      const { session } = await newSession();
      const fs = Array.from({ length: rng.between(2, 6) }, () => rng.pick([0, -0, 1.5, -2]));
      await session.execute('CREATE TABLE t (id INT PRIMARY KEY, f FLOAT)');
      await session.execute(`INSERT INTO t VALUES ${fs.map((f, i) => `(${i + 1}, ${Object.is(f, -0) ? '-0.0' : f.toFixed(1)})`).join(', ')}`);
      const expected = fs.map((f, i) => [i + 1, Math.atan2(f, -1)]);
      const what = `f = ${fs.map((f) => (Object.is(f, -0) ? '-0' : String(f))).join(',')}`;
      expect(rowsOf(await session.execute('SELECT id, (SELECT atan2(t.f, -1.0)) FROM t ORDER BY id')), what).toEqual(expected);
      expect(rowsOf(await session.execute('SELECT id, x FROM t CROSS JOIN LATERAL (SELECT atan2(t.f, -1.0) AS x) l ORDER BY id')), what)
        .toEqual(expected);
    }
  });
});

describe('an error of a subquery itself is raised wherever it sits', () => {
  it.each([
    'SELECT coalesce(1, (SELECT 1, 2))',
    'SELECT coalesce(1, (SELECT n FROM t HAVING n > 0))',
    'SELECT coalesce(1, (SELECT *))',
    'SELECT id FROM e WHERE id = (SELECT 1, 2)',
    'SELECT id, CASE WHEN id > 100 THEN (SELECT t.n, e.id FROM t) END FROM e',
  ])('%s', async (sql) => {
    // Only errors its rows raise wait for the value to be needed; these fail over no rows too,
    // and PostgreSQL refuses them however the statement would have used them.
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, n INT)');
    await session.execute('INSERT INTO t VALUES (1, 0)');
    await session.execute('CREATE TABLE e (id INT PRIMARY KEY)');
    const error = await session.execute(sql).then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
  });
});
