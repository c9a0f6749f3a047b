import { describe, expect, it } from 'vitest';
import { newSession, rowsOf } from './support.js';

/** Readings of three devices under PRIMARY KEY (device, ts), in both layouts. */
async function fixture(layout: 'row' | 'columnar') {
  const { session } = await newSession(undefined, { blockRows: 16, headEntriesMax: 20, newTables: 'row' });
  await session.execute(`CREATE TABLE r (device STRING, ts INT, v FLOAT, PRIMARY KEY (device, ts)) WITH (layout = '${layout}')`);
  for (let chunk = 0; chunk < 4; chunk++) {
    const values = Array.from({ length: 60 }, (_, i) => {
      const n = chunk * 60 + i;
      return `('d${n % 3}', ${1000 + n * 7}, ${n / 4})`;
    });
    await session.execute(`INSERT INTO r VALUES ${values.join(', ')}`);
  }
  await session.execute("DELETE FROM r WHERE ts % 5 = 0");
  await session.execute("UPDATE r SET v = -1 WHERE ts % 11 = 0");
  return session;
}

describe('ORDER BY in primary-key order reads the key range in order, with LIMIT stopping early', () => {
  // Each query against one whose sort keys are hidden from the planner (`+ 0`, `|| ''`), so it sorts.
  it.each([
    ["SELECT ts, v FROM r WHERE device = 'd1' ORDER BY ts DESC LIMIT 10", "SELECT ts, v FROM r WHERE device = 'd1' ORDER BY ts + 0 DESC LIMIT 10"],
    ["SELECT ts, v FROM r WHERE device = 'd1' ORDER BY ts LIMIT 7 OFFSET 3", "SELECT ts, v FROM r WHERE device = 'd1' ORDER BY ts + 0 LIMIT 7 OFFSET 3"],
    ["SELECT ts FROM r WHERE device = 'd2' AND ts < 1900 ORDER BY ts DESC LIMIT 5", "SELECT ts FROM r WHERE device = 'd2' AND ts < 1900 ORDER BY ts + 0 DESC LIMIT 5"],
    ["SELECT ts FROM r WHERE device = 'd0' AND ts >= 1200 ORDER BY device, ts DESC LIMIT 4", "SELECT ts FROM r WHERE device = 'd0' AND ts >= 1200 ORDER BY ts + 0 DESC LIMIT 4"],
    ['SELECT device, ts FROM r ORDER BY device DESC, ts DESC LIMIT 12', "SELECT device, ts FROM r ORDER BY device || '' DESC, ts + 0 DESC LIMIT 12"],
    ['SELECT device, ts FROM r ORDER BY device, ts LIMIT 12', "SELECT device, ts FROM r ORDER BY device || '', ts + 0 LIMIT 12"],
    ['SELECT device, ts FROM r ORDER BY device DESC, ts LIMIT 12', "SELECT device, ts FROM r ORDER BY device || '' DESC, ts + 0 LIMIT 12"],
    ["SELECT ts AS t FROM r WHERE device = 'd1' AND v > 10 ORDER BY t DESC LIMIT 6", "SELECT ts AS t FROM r WHERE device = 'd1' AND v > 10 ORDER BY ts + 0 DESC LIMIT 6"],
    ["SELECT count(*) FROM (SELECT ts FROM r WHERE device = 'd1' ORDER BY ts DESC LIMIT 10) AS d", "SELECT 10"],
  ])('%s', async (sql, reference) => {
    for (const layout of ['row', 'columnar'] as const) {
      const session = await fixture(layout);
      expect(rowsOf(await session.execute(sql)), layout).toEqual(rowsOf(await session.execute(reference)));
    }
  });
});
