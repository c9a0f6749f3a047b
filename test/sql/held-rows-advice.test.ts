import { describe, expect, it } from 'vitest';
import { executeRead } from '../../src/sql/index.js';
import { testLayout } from '../helpers/test-layout.js';
import { newSession, run } from './support.js';

/**
 * Past the row limit a query says why it held its rows and what narrows them: a window
 * function in a derived table under `LIMIT 3` was told to use "LIMIT without ORDER BY", which
 * it had, because the window reads every row before the LIMIT around it applies.
 */
// Row tables read through the path that holds rows; one layout project runs these.
describe.skipIf(testLayout().layout !== undefined)('the error past the rows a query may hold', () => {
  it.each([
    ['SELECT d, s FROM (SELECT d, sum(v) OVER (PARTITION BY d) AS s FROM t) x LIMIT 3', /the rows a window function reads holds more than 50 rows.*narrow it with WHERE: a window function reads every row before a LIMIT/],
    ['SELECT DISTINCT v FROM t', /the result \(kept whole for DISTINCT\) holds more than 50 rows.*narrow it with WHERE$/],
    ['SELECT id FROM t', /the result \(kept whole: no LIMIT\) holds more than 50 rows/],
    ['SELECT id FROM t ORDER BY v LIMIT 3', /the result \(kept whole for ORDER BY\) holds more than 50 rows.*ORDER BY the primary key/],
  ])('%s', async (sql, message) => {
    const { session, engine } = await newSession();
    await run(session, "CREATE TABLE t (id INT PRIMARY KEY, d INT, v INT) WITH (layout = 'row')", 'INSERT INTO t SELECT g, g % 3, g FROM generate_series(1, 200) g');
    const txn = await engine.begin();
    try {
      const error: unknown = await executeRead(sql, txn, 0, { timeoutMs: Infinity, maxMaterializedRows: 50 }).catch((e: unknown) => e);
      expect(String(error)).toMatch(message);
      // Ordered by the primary key, a LIMIT stops the scan: nothing is held.
      await expect(executeRead('SELECT id FROM t ORDER BY id LIMIT 3', txn, 0, { timeoutMs: Infinity, maxMaterializedRows: 50 })).resolves.toBeDefined();
    } finally {
      await txn.rollback();
    }
  });
});
