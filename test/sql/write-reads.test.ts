import { describe, expect, it, vi } from 'vitest';
import { newSession, rowsOf, run } from './support.js';

/**
 * UPDATE and DELETE hand storage the rows their WHERE matched, as read: reading each row again
 * by key cost a LevelDB read per row, and a 1M-row DELETE outlasted the 10 s write deadline.
 * Point reads left: the duplicate check of a row whose primary key moves below the greatest
 * key, one per row.
 */
const ROWS = 2_000;

async function fixture() {
  const env = await newSession();
  await run(env.session,
    'CREATE TABLE t (id INT PRIMARY KEY, d TEXT, v FLOAT) WITH TTL=1d',
    'CREATE INDEX t_v ON t (v)',
    `INSERT INTO t SELECT g, 'esp-' || (g % 10), g % 7 FROM generate_series(1, ${ROWS}) g`);
  const reads = (): number => getSync.mock.calls.length + get.mock.calls.length + getMany.mock.calls.length;
  const getSync = vi.spyOn(env.level, 'getSync');
  const get = vi.spyOn(env.level, 'get');
  const getMany = vi.spyOn(env.level, 'getMany');
  return { ...env, reads };
}

describe('UPDATE and DELETE read each matched row once', () => {
  it.each([
    ['UPDATE t SET v = v + 100 WHERE id % 2 = 0', 0],
    ['UPDATE t SET d = upper(d)', 0],
    ['DELETE FROM t WHERE id % 2 = 0', 0],
    ['DELETE FROM t', 0],
    ['UPDATE t SET id = id + 1000000 WHERE id % 2 = 0', 0],
    ['UPDATE t SET id = -id WHERE id % 2 = 0', ROWS / 2],
  ])('%s', async (sql, pointReads) => {
    const { session, reads } = await fixture();
    const before = reads();
    await run(session, sql);
    expect(reads() - before).toBeLessThanOrEqual(pointReads + 10);
    // The index and the rows agree afterwards.
    const byIndex = rowsOf(await run(session, 'SELECT id, d, v FROM t WHERE v >= 0 ORDER BY id'));
    const all = rowsOf(await run(session, 'SELECT id, d, v FROM t WHERE v IS NOT NULL ORDER BY id'));
    expect(byIndex).toEqual(all);
  });

  it('reads again a row the same transaction wrote before the statement', async () => {
    const { session } = await fixture();
    await run(session, 'BEGIN', 'UPDATE t SET v = 50 WHERE id <= 10', 'DELETE FROM t WHERE id <= 5', 'COMMIT');
    expect(rowsOf(await run(session, 'SELECT id FROM t WHERE v = 50 ORDER BY id'))).toEqual([[6], [7], [8], [9], [10]]);
    expect(rowsOf(await run(session, 'SELECT count(*) FROM t'))).toEqual([[ROWS - 5]]);
  });
});
