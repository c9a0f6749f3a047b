import { describe, expect, it } from 'vitest';
import { classify } from '../../src/sql/execute.js';
import { expectError, newSession, rowsOf, run } from './support.js';

async function fixture() {
  const env = await newSession();
  await run(env.session,
    'CREATE TABLE sensors (device STRING, ts INT, temp FLOAT, PRIMARY KEY (device, ts)) WITH TTL=7d',
    'CREATE INDEX by_temp ON sensors (temp)',
    'CREATE INDEX by_ts_temp ON sensors (ts, temp)',
    'CREATE TABLE devices (device STRING PRIMARY KEY, site STRING NOT NULL)',
    'CREATE TABLE log (m STRING)',
    "INSERT INTO sensors VALUES ('a', 1, 20.5), ('a', 2, 21), ('b', 1, 30)");
  return env;
}

describe('SHOW TABLES and DESCRIBE', () => {
  it('SHOW TABLES lists every table by name, with its key, TTL and layout', async () => {
    const { session } = await fixture();
    const result = await session.execute('SHOW TABLES');
    expect(result).toMatchObject({ kind: 'rows', columns: ['table', 'columns', 'primary_key', 'ttl', 'layout'] });
    expect(rowsOf(result).map((r) => r.slice(0, 4))).toEqual([
      ['devices', 2, 'device', null], ['log', 1, null, null], ['sensors', 3, 'device, ts', '7d']]);
  });

  it.each([
    ['DESCRIBE sensors', [
      ['device', 'STRING', true, 1, null], ['ts', 'INT', true, 2, 'by_ts_temp'], ['temp', 'FLOAT', false, null, 'by_temp, by_ts_temp']]],
    ['describe table Devices;', [['device', 'STRING', true, 1, null], ['site', 'STRING', true, null, null]]],
    ['DESC log', [['m', 'STRING', false, null, null]]],
  ] as const)('%s', async (sql, rows) => {
    const { session } = await fixture();
    const result = await session.execute(sql);
    expect(result).toMatchObject({ columns: ['column', 'type', 'not_null', 'primary_key', 'indexes'] });
    expect(rowsOf(result)).toEqual(rows);
  });

  it('inside a transaction they see its own changes; they are reads', async () => {
    const { session } = await fixture();
    for (const sql of ['SHOW TABLES', 'DESCRIBE t', 'EXPLAIN SELECT 1']) expect(classify(sql)).toBe('read');
    await run(session, 'BEGIN', 'CREATE TABLE fresh (a INT)', 'ALTER TABLE log ADD COLUMN n INT');
    expect(rowsOf(await session.execute('SHOW TABLES')).map((r) => r[0])).toEqual(['devices', 'fresh', 'log', 'sensors']);
    expect(rowsOf(await session.execute('DESCRIBE log')).map((r) => r[0])).toEqual(['m', 'n']);
    await run(session, 'ROLLBACK');
    expect(rowsOf(await session.execute('DESCRIBE log')).map((r) => r[0])).toEqual(['m']);
  });
});

describe('EXPLAIN', () => {
  it.each([
    ["EXPLAIN SELECT * FROM sensors WHERE device = 'a' AND ts = 2", ["Filter device = 'a' and ts = 2", '  PK LOOKUP sensors (a, 2)']],
    ["EXPLAIN SELECT ts FROM sensors WHERE device = 'a' AND ts > 1", ["Filter device = 'a' and ts > 1", '  PK RANGE sensors >(a, 1) <=(a)']],
    ['EXPLAIN SELECT * FROM sensors WHERE temp > 25', ['Filter temp > 25', '  INDEX RANGE sensors.by_temp >(25)']],
    ['EXPLAIN SELECT * FROM log', ['FULL SCAN log']],
    ["EXPLAIN SELECT device, avg(temp) FROM sensors WHERE device = 'a' AND ts > 5 GROUP BY device ORDER BY 2 DESC LIMIT 3", [
      'Limit 3', '  Sort by avg(temp) DESC', '    Aggregate by device: avg(temp)', "      Filter device = 'a' and ts > 5",
      '        PK RANGE sensors >(a, 5) <=(a)']],
    ['EXPLAIN SELECT 1', ['One row (no FROM)']],
    ['EXPLAIN SELECT device, avg(temp) AS t FROM sensors GROUP BY device HAVING count(*) > 1 ORDER BY 2 DESC NULLS LAST LIMIT 3 OFFSET 1', [
      'Limit 3 offset 1', '  Sort by avg(temp) DESC NULLS LAST', '    Filter (HAVING) count(*) > 1',
      '      Aggregate by device: avg(temp), count(*)', '        FULL SCAN sensors']],
    ['EXPLAIN SELECT DISTINCT site FROM sensors s JOIN devices USING (device) JOIN log ON log.m = s.device', [
      'Distinct', '  Hash join log ON log.m = s.device', '    Hash join devices USING (device)',
      '      FULL SCAN sensors', '      FULL SCAN devices (held in memory)', '    FULL SCAN log (held in memory)']],
    ['EXPLAIN SELECT site FROM sensors s JOIN devices d ON d.device < s.device', [
      'Nested loop join devices ON d.device < s.device', '  FULL SCAN sensors', '  FULL SCAN devices (held in memory)']],
    ['EXPLAIN SELECT site FROM sensors s LEFT JOIN devices USING (device)', [
      'Hash left join devices USING (device)', '  FULL SCAN sensors', '  FULL SCAN devices (held in memory)']],
    ['EXPLAIN SELECT count(*) FROM sensors', ['Aggregate: count(*)', '  FULL SCAN sensors']],
    // Derived tables: the query reads them held; their own plans are shown below it.
    ["EXPLAIN SELECT d.n FROM (SELECT device, count(*) AS n FROM sensors WHERE device = 'a' GROUP BY device) AS d WHERE d.n > 1", [
      'Filter d.n > 1', '  FULL SCAN d (subquery)', '  Derived table d: subquery, answered once before the statement',
      '    Aggregate by device: count(*)', "      Filter device = 'a'", '        PK RANGE sensors >=(a) <=(a)']],
    ['EXPLAIN WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c', [
      'FULL SCAN c (recursive)', '  Derived table c: WITH RECURSIVE c, the first part, then the recursive part until a round makes no rows',
      '    First part', '      One row (no FROM)', '    Recursive part, over the rows of the round before (c (working))',
      '      Filter x < 3', '        FULL SCAN c (working)']],
    ['EXPLAIN SELECT g.t FROM generate_series(1, 3) AS g(t)', ['FULL SCAN g (generate_series)', '  Derived table g: generate_series(1, 3)']],
    ["EXPLAIN SELECT * FROM sensors WHERE device = 'a' ORDER BY ts DESC LIMIT 10", [
      'Limit 10', '  In key order ts DESC (no sort)', "    Filter device = 'a'", '      PK RANGE sensors >=(a) <=(a)']],
    ['EXPLAIN SELECT device, rank() OVER (ORDER BY count(*) DESC) FROM sensors GROUP BY device HAVING count(*) > 1 ORDER BY 1', [
      'Sort by device', '  Window: rank() over (order by count(*) desc)', '    Filter (HAVING) count(*) > 1',
      '      Aggregate by device: count(*)', '        FULL SCAN sensors']],
    ["EXPLAIN SELECT device FROM sensors UNION ALL SELECT device FROM devices EXCEPT SELECT 'z' ORDER BY 1 LIMIT 5", [
      'Limit 5', '  Sort by 1', '    Except', '      Union all', '        FULL SCAN sensors', '        FULL SCAN devices',
      '      One row (no FROM)']],
    ['EXPLAIN SELECT * FROM sensors WHERE ts = (SELECT max(ts) FROM sensors)', [
      'Filter ts = 2', '  INDEX RANGE sensors.by_ts_temp >=(2) <=(2)',
      '  Subquery 1 (scalar), answered once before the statement', '    Aggregate: max(ts)', '      FULL SCAN sensors']],
    ['EXPLAIN UPDATE sensors SET temp = 0 WHERE temp BETWEEN 1 AND 2', [
      'Update sensors', '  Filter temp between 1 and 2', '    INDEX RANGE sensors.by_temp >=(1) <=(2)']],
    ["EXPLAIN DELETE FROM sensors WHERE device = 'b'", ['Delete from sensors', "  Filter device = 'b'", '    PK RANGE sensors >=(b) <=(b)']],
  ] as const)('%s', async (sql, plan) => {
    const { session } = await fixture();
    const result = await session.execute(sql);
    expect(result).toMatchObject({ kind: 'rows', columns: ['plan'] });
    expect(rowsOf(result).map((r) => r[0])).toEqual(plan);
  });

  it('runs nothing: EXPLAIN DELETE leaves the rows', async () => {
    const { session } = await fixture();
    await run(session, 'EXPLAIN DELETE FROM sensors');
    expect(rowsOf(await session.execute('SELECT count(*) FROM sensors'))).toEqual([[3]]);
  });
});

describe('refused by name', () => {
  it.each([
    ['DESCRIBE nope', 'UNKNOWN_TABLE', 'Unknown table nope'],
    ['SHOW DATABASES', 'UNSUPPORTED', 'Unsupported: SHOW DATABASES'],
    ['SHOW TABLES FROM x', 'PARSE_ERROR', /^Parse error: unexpected 'FROM'/],
    ["EXPLAIN INSERT INTO log VALUES ('x')", 'UNSUPPORTED', 'Unsupported: EXPLAIN of INSERT'],
    ['EXPLAIN CREATE TABLE x (a INT)', 'UNSUPPORTED', 'Unsupported: EXPLAIN of this statement'],
    ['EXPLAIN ANALYZE SELECT 1', 'UNSUPPORTED', 'Unsupported: EXPLAIN ANALYZE'],
    ['EXPLAIN QUERY PLAN SELECT 1', 'UNSUPPORTED', 'Unsupported: EXPLAIN QUERY'],
    ['EXPLAIN SELECT nope FROM log', 'UNKNOWN_COLUMN', 'Unknown column nope in table log'],
    ['EXPLAIN UPDATE log SET zz = 1', 'UNKNOWN_COLUMN', 'Unknown column zz in table log'],
    ["EXPLAIN DELETE FROM log WHERE m = 1", 'TYPE_MISMATCH', "Type mismatch: cannot compare STRING with INT in 'm = 1'"],
  ] as const)('%s', async (sql, code, message) => {
    const { session } = await fixture();
    await expectError(session, sql, code, message);
  });
});
