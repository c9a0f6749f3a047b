import { describe, expect, it } from 'vitest';
import { testLayout } from '../helpers/test-layout.js';
import { newSession, rowsOf, run } from './support.js';

/**
 * Statements over more rows than a call may take arguments: spreading a 150,000-item batch into
 * push() threw RangeError when the head of a columnar table was folded, which stopped every node
 * of a cluster, and again on each restart as the entry was replayed.
 */
const ROWS = 200_000;

// The table is columnar by its own option: one layout project runs it.
describe.skipIf(testLayout().layout !== undefined)('columnar tables take statements over hundreds of thousands of rows', () => {
  it('INSERT, UPDATE and DELETE of 200,000 rows, folded and compacted', async () => {
    const { session, executor } = await newSession(1_700_000_000_000, { blockRows: 1_024, headEntriesMax: 4_096, newTables: 'columnar' });
    await run(session, "CREATE TABLE tc (device TEXT, ts INT, v FLOAT) WITH (layout = 'columnar')",
      `INSERT INTO tc SELECT 'esp-' || (g % 100), g, g * 0.5 FROM generate_series(1, ${ROWS}) g`);
    for (let step = 0; step < 400 && !(await executor.compactStep(64)).passEnded; step++);
    await run(session, 'UPDATE tc SET v = v + 1 WHERE ts % 2 = 0');
    expect(rowsOf(await run(session, 'SELECT count(*), sum(v) FROM tc'))).toEqual([[ROWS, (ROWS * (ROWS + 1)) / 4 + ROWS / 2]]);
    await run(session, 'DELETE FROM tc WHERE ts > 10');
    expect(rowsOf(await run(session, 'SELECT count(*) FROM tc'))).toEqual([[10]]);
  }, 120_000);
});
