import { describe, expect, it } from 'vitest';
import { expectError, expectInBothLayouts, newSession, rowsOf } from './support.js';

const TABLE = 'CREATE TABLE r (dev STRING, ts INT, v FLOAT, n INT, PRIMARY KEY (dev, ts))';
const ROWS = "INSERT INTO r VALUES ('a', 1, 1.5, 7), ('a', 2, NULL, NULL), ('a', 3, 2.5, 1), ('b', 4, 4, 9), ('b', 5, 7, NULL)";

describe('aggregate FILTER (WHERE ...)', () => {
  it.each([
    ['SELECT count(*) FILTER (WHERE v > 2), sum(v) FILTER (WHERE dev = \'a\'), count(*) FROM r', [[3, 4, 5]]],
    // A group none of whose rows pass still answers: 0 for count, NULL for the others.
    ['SELECT dev, count(*) FILTER (WHERE n > 8), max(v) FILTER (WHERE n > 8) FROM r GROUP BY dev ORDER BY dev', [['a', 0, null], ['b', 1, 4]]],
    // NULL is not true: the row is left out.
    ['SELECT count(*) FILTER (WHERE n > 0), count(*) FILTER (WHERE n IS NULL) FROM r', [[3, 2]]],
    ['SELECT count(DISTINCT dev) FILTER (WHERE ts > 3), sum(DISTINCT n) FILTER (WHERE ts < 4) FROM r', [[1, 8]]],
    ['SELECT dev FROM r GROUP BY dev HAVING count(*) FILTER (WHERE v IS NOT NULL) > 2', []],
    ['SELECT dev FROM r GROUP BY dev HAVING count(*) FILTER (WHERE v IS NOT NULL) = 2 ORDER BY dev', [['a'], ['b']]],
    ['SELECT last(v, ts) FILTER (WHERE v < 5), first(dev, ts) FILTER (WHERE ts > 1) FROM r', [[4, 'a']]],
    // The same call with and without FILTER are two aggregates.
    ['SELECT sum(n), sum(n) FILTER (WHERE dev = \'b\') FROM r', [[17, 9]]],
    // No row passes the WHERE: one row all the same, as for a plain aggregate.
    ['SELECT count(*) FILTER (WHERE v > 0), avg(v) FILTER (WHERE v > 0) FROM r WHERE ts > 10', [[0, null]]],
  ] as const)('%s', async (sql, expected) => {
    await expectInBothLayouts(TABLE, ROWS, sql, expected);
  });

  it('names the column as written, and EXPLAIN shows the filter', async () => {
    const { session } = await newSession();
    await session.execute(TABLE);
    const result = await session.execute('SELECT count(*) FILTER (WHERE n > 1) FROM r');
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['count(*) filter (where n > 1)']);
    const plan = rowsOf(await session.execute('EXPLAIN SELECT sum(v) FILTER (WHERE n > 1) FROM r'));
    expect(plan[0]).toEqual(['Aggregate: sum(v) filter (where n > 1)']);
  });

  it.each([
    ['SELECT count(*) FILTER (WHERE n) FROM r', 'TYPE_MISMATCH', /FILTER needs a BOOLEAN condition, got INT in 'n'/],
    ["SELECT lower(dev) FILTER (WHERE n > 1) FROM r", 'INVALID_ARGUMENT', /FILTER \(WHERE \.\.\.\) applies to aggregates, and lower\(\) is not one/],
    ['SELECT sum(n) FILTER (WHERE n > 1) OVER () FROM r', 'UNSUPPORTED', /FILTER \(WHERE \.\.\.\) with OVER/],
    ['SELECT count(*) FILTER (WHERE max(n) > 1) FROM r', 'INVALID_ARGUMENT', /Aggregates are not allowed in FILTER/],
    ['SELECT count(*) FILTER (n > 1) FROM r', 'PARSE_ERROR', /expected WHERE, found 'n'/],
  ] as const)('refuses %s', async (sql, code, message) => {
    const { session } = await newSession();
    await session.execute(TABLE);
    await expectError(session, sql, code, message);
  });
});
