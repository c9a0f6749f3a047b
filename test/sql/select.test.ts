import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import type { Session } from '../../src/sql/session.js';
import { newSession, rowsOf, run } from './support.js';

let session: Session;

beforeAll(async () => {
  ({ session } = await newSession(1_700_000_000_000));
  await run(
    session,
    'CREATE TABLE s (id INT PRIMARY KEY, temp FLOAT, device STRING, ts INT, ok BOOLEAN)',
    `INSERT INTO s VALUES
      (1, 20.5, 'a', 60, TRUE),
      (2, 21.5, 'b', 90, FALSE),
      (3, NULL, 'a', 125, TRUE),
      (4, -3.25, 'c', 130, NULL),
      (5, 30, NULL, 200, TRUE),
      (6, 0, '', 250, FALSE)`,
    'CREATE TABLE d (device STRING PRIMARY KEY, site STRING)',
    "INSERT INTO d VALUES ('a', 'north'), ('b', 'south'), ('z', 'nowhere')",
    'CREATE TABLE n (k INT, v INT)',
    'INSERT INTO n VALUES (1, 10), (1, 20), (2, 5), (NULL, 7), (2, NULL)',
  );
});

type Case = readonly [sql: string, columns: readonly string[], rows: readonly (readonly unknown[])[]];

const cases: readonly Case[] = [
  ['SELECT id FROM s WHERE id = 3', ['id'], [[3]]],
  ['SELECT id FROM s WHERE id != 3 AND id < 4', ['id'], [[1], [2]]],
  ['SELECT id FROM s WHERE id <> 3 AND id <= 2', ['id'], [[1], [2]]],
  ['SELECT id FROM s WHERE temp > 21', ['id'], [[2], [5]]],
  ['SELECT id FROM s WHERE temp >= 21.5', ['id'], [[2], [5]]],
  ['SELECT id FROM s WHERE temp = 30', ['id'], [[5]]],
  ['SELECT id FROM s WHERE temp = NULL', ['id'], []],
  ['SELECT id FROM s WHERE temp != NULL', ['id'], []],
  ['SELECT id FROM s WHERE temp IS NULL', ['id'], [[3]]],
  ['SELECT id FROM s WHERE device IS NOT NULL AND id > 4', ['id'], [[6]]],
  ['SELECT id FROM s WHERE device IN (\'a\', \'c\')', ['id'], [[1], [3], [4]]],
  ['SELECT id FROM s WHERE device NOT IN (\'a\', \'c\')', ['id'], [[2], [6]]],
  ['SELECT id FROM s WHERE id IN (1, NULL)', ['id'], [[1]]],
  ['SELECT id FROM s WHERE id NOT IN (1, NULL)', ['id'], []],
  ['SELECT id FROM s WHERE ts BETWEEN 90 AND 130', ['id'], [[2], [3], [4]]],
  ['SELECT id FROM s WHERE ts NOT BETWEEN 90 AND 130', ['id'], [[1], [5], [6]]],
  ['SELECT id FROM s WHERE device LIKE \'a%\'', ['id'], [[1], [3]]],
  ['SELECT id FROM s WHERE device LIKE \'_\'', ['id'], [[1], [2], [3], [4]]],
  ['SELECT id FROM s WHERE device NOT LIKE \'a\'', ['id'], [[2], [4], [6]]],
  ['SELECT id FROM s WHERE device LIKE \'A\'', ['id'], []],
  ['SELECT id FROM s WHERE temp < -1', ['id'], [[4]]],
  ['SELECT id FROM s WHERE temp = -3.25', ['id'], [[4]]],
  ['SELECT id FROM s WHERE -temp > 3', ['id'], [[4]]],
  ['SELECT id FROM s WHERE NOT (id > 2)', ['id'], [[1], [2]]],
  ['SELECT id FROM s WHERE NOT ok', ['id'], [[2], [6]]],
  ['SELECT id FROM s WHERE ok', ['id'], [[1], [3], [5]]],
  ['SELECT id FROM s WHERE ok = TRUE AND (id = 1 OR id = 5)', ['id'], [[1], [5]]],
  ['SELECT id FROM s WHERE id = 1 OR temp IS NULL', ['id'], [[1], [3]]],
  ['SELECT id FROM s WHERE (id + 1) * 2 = 8', ['id'], [[3]]],
  ['SELECT id FROM s WHERE id % 2 = 0', ['id'], [[2], [4], [6]]],
  ['SELECT id FROM s WHERE device = \'\'', ['id'], [[6]]],
  ['SELECT id FROM s WHERE temp = 0.0', ['id'], [[6]]],
  ['SELECT id FROM s WHERE temp = -0.0', ['id'], [[6]]],
  ['SELECT id FROM s WHERE id = 2.0', ['id'], [[2]]],
  ['SELECT id FROM s WHERE id > 4.5', ['id'], [[5], [6]]],
  ['SELECT id, temp * 2 AS t2 FROM s WHERE id < 3', ['id', 't2'], [[1, 41], [2, 43]]],
  ['SELECT id + 1, id * 2 FROM s WHERE id = 1', ['id + 1', 'id * 2'], [[2, 2]]],
  ['SELECT 7 / 2, 7 % 3, 7.0 / 2, -7 / 2', ['7 / 2', '7 % 3', '7.0 / 2', '-7 / 2'], [[3, 1, 3.5, -3]]],
  ['SELECT 1 + 2 * 3', ['1 + 2 * 3'], [[7]]],
  ['SELECT (1 + 2) * 3', ['(1 + 2) * 3'], [[9]]],
  ["SELECT 'x' || device FROM s WHERE id = 1", ["'x' || device"], [['xa']]],
  ['SELECT TRUE, FALSE, NULL', ['true', 'false', 'null'], [[true, false, null]]],
  ['SELECT id FROM s ORDER BY id DESC LIMIT 2', ['id'], [[6], [5]]],
  ['SELECT id FROM s ORDER BY id LIMIT 2 OFFSET 3', ['id'], [[4], [5]]],
  ['SELECT id FROM s ORDER BY id OFFSET 5', ['id'], [[6]]],
  ['SELECT id FROM s LIMIT 0', ['id'], []],
  ['SELECT id, temp FROM s ORDER BY temp', ['id', 'temp'], [[4, -3.25], [6, 0], [1, 20.5], [2, 21.5], [5, 30], [3, null]]],
  ['SELECT id, temp FROM s ORDER BY temp DESC LIMIT 2', ['id', 'temp'], [[3, null], [5, 30]]],
  ['SELECT id, device FROM s ORDER BY device, id DESC', ['id', 'device'], [[6, ''], [3, 'a'], [1, 'a'], [2, 'b'], [4, 'c'], [5, null]]],
  ['SELECT id AS x FROM s ORDER BY x DESC LIMIT 1', ['x'], [[6]]],
  ['SELECT id, ts FROM s ORDER BY 2 DESC LIMIT 1', ['id', 'ts'], [[6, 250]]],
  ['SELECT id FROM s ORDER BY -ts LIMIT 2', ['id'], [[6], [5]]],
  ['SELECT DISTINCT device FROM s ORDER BY device', ['device'], [[''], ['a'], ['b'], ['c'], [null]]],
  ['SELECT DISTINCT ok FROM s ORDER BY 1', ['ok'], [[false], [true], [null]]],
  ['SELECT count(*) FROM s', ['count(*)'], [[6]]],
  ['SELECT COUNT(*) FROM s', ['count(*)'], [[6]]],
  ['SELECT count(temp), count(device), count(DISTINCT device) FROM s', ['count(temp)', 'count(device)', 'count(distinct device)'], [[5, 5, 4]]],
  ['SELECT sum(id), sum(temp), avg(id), min(temp), max(device) FROM s', ['sum(id)', 'sum(temp)', 'avg(id)', 'min(temp)', 'max(device)'], [[21, 68.75, 3.5, -3.25, 'c']]],
  ['SELECT avg(ts) FROM s', ['avg(ts)'], [[142.5]]],
  ['SELECT count(*), sum(id), avg(id), min(id) FROM s WHERE id > 100', ['count(*)', 'sum(id)', 'avg(id)', 'min(id)'], [[0, null, null, null]]],
  ['SELECT device, count(*) FROM s GROUP BY device ORDER BY device', ['device', 'count(*)'], [['', 1], ['a', 2], ['b', 1], ['c', 1], [null, 1]]],
  ['SELECT device, count(*) AS c FROM s GROUP BY 1 HAVING count(*) > 1', ['device', 'c'], [['a', 2]]],
  ['SELECT device, max(ts) FROM s GROUP BY device HAVING max(ts) >= 200 ORDER BY 2', ['device', 'max(ts)'], [[null, 200], ['', 250]]],
  ['SELECT ok, sum(id) FROM s GROUP BY ok ORDER BY sum(id) DESC', ['ok', 'sum(id)'], [[true, 9], [false, 8], [null, 4]]],
  ["SELECT time_bucket('1m', ts), count(*) FROM s GROUP BY 1 ORDER BY 1", ["time_bucket('1m', ts)", 'count(*)'], [[60, 2], [120, 2], [180, 1], [240, 1]]],
  ["SELECT time_bucket('2m', ts) AS b, avg(temp) FROM s GROUP BY b ORDER BY b", ['b', 'avg(temp)'], [[0, 21], [120, 13.375], [240, 0]]],
  ["SELECT time_bucket('30s', ts) FROM s WHERE id = 3", ["time_bucket('30s', ts)"], [[120]]],
  ["SELECT time_bucket('1h', ts) FROM s WHERE id = 6", ["time_bucket('1h', ts)"], [[0]]],
  ['SELECT k, sum(v), count(v) FROM n GROUP BY k ORDER BY k', ['k', 'sum(v)', 'count(v)'], [[1, 30, 2], [2, 5, 1], [null, 7, 1]]],
  ['SELECT k * 10, count(*) FROM n GROUP BY k * 10 ORDER BY 1', ['k * 10', 'count(*)'], [[10, 2], [20, 2], [null, 1]]],
  ['SELECT avg(v) FROM n', ['avg(v)'], [[10.5]]],
  ['SELECT s.id, d.site FROM s JOIN d USING (device) ORDER BY s.id', ['id', 'site'], [[1, 'north'], [2, 'south'], [3, 'north']]],
  ['SELECT * FROM s JOIN d USING (device) WHERE id = 2', ['id', 'temp', 'device', 'ts', 'ok', 'site'], [[2, 21.5, 'b', 90, false, 'south']]],
  ['SELECT x.id, y.site FROM s x INNER JOIN d y ON x.device = y.device WHERE y.site = \'north\' ORDER BY 1', ['id', 'site'], [[1, 'north'], [3, 'north']]],
  ['SELECT site, count(*) FROM s JOIN d USING (device) GROUP BY site ORDER BY site', ['site', 'count(*)'], [['north', 2], ['south', 1]]],
  ['SELECT x.device, x.n FROM (SELECT device, count(*) AS n FROM s GROUP BY device) AS x WHERE x.n > 1', ['device', 'n'], [['a', 2]]],
  ['SELECT max(n) FROM (SELECT device, count(*) AS n FROM s GROUP BY device) y', ['max(n)'], [[2]]],
  ['SELECT d.site, c.n FROM d JOIN (SELECT device, count(*) AS n FROM s GROUP BY device) c USING (device) ORDER BY 1', ['site', 'n'],
    [['north', 2], ['south', 1]]],
  ['SELECT id FROM (SELECT id FROM s WHERE id < 3 UNION SELECT 9) AS u ORDER BY id', ['id'], [[1], [2], [9]]],
  ['WITH c AS (SELECT device, count(*) AS n FROM s GROUP BY device) SELECT device, n FROM c WHERE n > 1', ['device', 'n'], [['a', 2]]],
  ['WITH a AS (SELECT id FROM s WHERE id < 4), b AS (SELECT id FROM a WHERE id > 1) SELECT b.id FROM b JOIN a USING (id) ORDER BY 1',
    ['id'], [[2], [3]]],
  ['WITH a AS (SELECT id FROM s) SELECT x.id FROM a x JOIN a y ON x.id = y.id + 5', ['id'], [[6]]],
  ['SELECT s.id, d.site FROM s LEFT JOIN d USING (device) ORDER BY s.id', ['id', 'site'],
    [[1, 'north'], [2, 'south'], [3, 'north'], [4, null], [5, null], [6, null]]],
  ['SELECT * FROM s LEFT OUTER JOIN d USING (device) WHERE id IN (4, 5)', ['id', 'temp', 'device', 'ts', 'ok', 'site'],
    [[4, -3.25, 'c', 130, null, null], [5, 30, null, 200, true, null]]],
  ["SELECT s.id, d.site FROM s LEFT JOIN d ON s.device = d.device AND d.site = 'south' ORDER BY s.id", ['id', 'site'],
    [[1, null], [2, 'south'], [3, null], [4, null], [5, null], [6, null]]],
  ["SELECT s.id FROM s LEFT JOIN d ON s.device = d.device WHERE d.site IS NULL ORDER BY s.id", ['id'], [[4], [5], [6]]],
  ['SELECT d.device, count(n.v) FROM d LEFT JOIN n ON n.k = 1 AND d.device = \'a\' GROUP BY d.device ORDER BY 1', ['device', 'count(v)'],
    [['a', 2], ['b', 0], ['z', 0]]],
  ['SELECT s.id, d.site, x.k FROM s LEFT JOIN d USING (device) LEFT JOIN n x ON x.k = s.id AND x.v = 10 WHERE s.id < 3 ORDER BY 1',
    ['id', 'site', 'k'], [[1, 'north', 1], [2, 'south', null]]],
  ['SELECT d.* FROM d ORDER BY device DESC LIMIT 1', ['device', 'site'], [['z', 'nowhere']]],
  ['SELECT abs(temp), lower(\'AbC\'), upper(device), length(device) FROM s WHERE id = 4', ['abs(temp)', "lower('AbC')", 'upper(device)', 'length(device)'], [[3.25, 'abc', 'C', 1]]],
  ['SELECT coalesce(temp, 0) FROM s WHERE id = 3', ['coalesce(temp, 0)'], [[0]]],
  ['SELECT now()', ['now()'], [[1_700_000_000]]],
  ['SELECT 9223372036854775807', ['9223372036854775807'], [[9223372036854775807n]]],
  ['SELECT -9223372036854775808', ['-9223372036854775808'], [[-9223372036854775808n]]],
  ['SELECT 9007199254740993 - 1', ['9007199254740993 - 1'], [[9007199254740992n]]],
  ['SELECT 9007199254740992 + 1', ['9007199254740992 + 1'], [[9007199254740993n]]],
  ['SELECT id FROM s WHERE device > \'b\' ORDER BY id', ['id'], [[4]]],
  ['SELECT id FROM s WHERE ts > 100 AND ts < 200 AND temp IS NOT NULL', ['id'], [[4]]],
  ['SELECT id FROM s WHERE id >= 2 AND id <= 3', ['id'], [[2], [3]]],
  ['SELECT id FROM s WHERE 3 < id', ['id'], [[4], [5], [6]]],
  ['SELECT avg_1h(temp), avg_24h(temp), avg_7d(temp) FROM s', ['avg_1h(temp)', 'avg_24h(temp)', 'avg_7d(temp)'], [[13.75, 13.75, 13.75]]],
  ['SELECT "id" FROM s WHERE id = 1', ['id'], [[1]]],
  ['select ID from S where Id = 1', ['id'], [[1]]],
  ['SELECT id -- comment\n FROM s /* block */ WHERE id = 1;', ['id'], [[1]]],
];

describe('SELECT semantics', () => {
  it('answers or refuses 400 drawn ORDER BY items as PostgreSQL 15 does: positions, names, duplicate names, constants', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE g (id INT PRIMARY KEY, v FLOAT)', 'INSERT INTO g VALUES (1, 2.5), (2, 1.5)');
    const random = new Random(4242);
    const items = [{ sql: 'id', name: 'id', expr: 'id' }, { sql: 'v', name: 'v', expr: 'v' }, { sql: 'id AS a', name: 'a', expr: 'id' },
      { sql: 'v AS a', name: 'a', expr: 'v' }, { sql: 'id + 1 AS b', name: 'b', expr: 'id + 1' }];
    for (let round = 0; round < 400; round++) {
      const list = Array.from({ length: random.between(1, 3) }, () => random.pick(items));
      const order = random.pick(['1', '2', '3', 'a', 'b', 'id', 'v', "'1'", '1.5', 'NULL', 'true', "'a' || 'b'", '2 - 1']);
      const named = list.filter((item) => item.name === order);
      const expected = /^\d$/.test(order) ? (Number(order) <= list.length ? 'answer' : 'is not in the select list')
        : ["'1'", '1.5', 'NULL', 'true'].includes(order) ? 'non-integer constant in ORDER BY'
          : new Set(named.map((item) => item.expr)).size > 1 ? 'is ambiguous'
            : ['a', 'b'].includes(order) && named.length === 0 ? 'Unknown column' : 'answer';
      const sql = `SELECT ${list.map((item) => item.sql).join(', ')} FROM g ORDER BY ${order}`;
      const outcome = await session.execute(sql).then(() => 'answer', (error: unknown) => String(error));
      if (expected === 'answer') expect(outcome, sql).toBe('answer');
      else expect(outcome, sql).toContain(expected);
    }
  });

  it('refuses a constant in ORDER BY or GROUP BY that is not a position, as PostgreSQL 15 does', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE k (id INT PRIMARY KEY, v FLOAT)', 'INSERT INTO k VALUES (1, 2.5), (2, 1.5)');
    for (const [sql, clause] of [["SELECT id FROM k ORDER BY '1'", 'ORDER BY'], ['SELECT id FROM k ORDER BY 1.5', 'ORDER BY'],
      ['SELECT id FROM k ORDER BY NULL', 'ORDER BY'], ["SELECT count(*) FROM k GROUP BY 'x'", 'GROUP BY']] as const) {
      await expect(session.execute(sql), sql).rejects.toThrow(`non-integer constant in ${clause}`);
    }
    // An expression of constants is no position: it sorts by nothing, as there.
    expect(rowsOf(await run(session, "SELECT id FROM k ORDER BY 'a' || 'b', 2 - 1, id DESC"))).toEqual([[2], [1]]);
    // A name two different outputs carry is ambiguous; the same expression twice is not.
    await expect(session.execute('SELECT id AS a, v AS a FROM k ORDER BY a')).rejects.toThrow('ORDER BY "a" is ambiguous');
    expect(rowsOf(await run(session, 'SELECT v AS a, v AS a FROM k ORDER BY a'))).toEqual([[1.5, 1.5], [2.5, 2.5]]);
  });

  it.each(cases)('%s', async (sql, columns, rows) => {
    const r = await session.execute(sql);
    expect(r.kind).toBe('rows');
    if (r.kind !== 'rows') return;
    expect(r.columns).toEqual(columns);
    expect(r.rows).toEqual(rows);
  });

  it.each([
    ['SELECT id, temp, device, ok FROM s', ['INT', 'FLOAT', 'STRING', 'BOOLEAN']],
    ['SELECT count(*), avg(id), sum(id), sum(temp), min(device) FROM s', ['INT', 'FLOAT', 'INT', 'FLOAT', 'STRING']],
    ["SELECT time_bucket('1m', ts), now(), 1.5, NULL, id / 2 FROM s", ['INT', 'INT', 'FLOAT', null, 'INT']],
  ] as const)('static column types of %s', async (sql, types) => {
    const r = await session.execute(sql);
    expect(r.kind === 'rows' ? r.columnTypes : null).toEqual(types);
  });
});
