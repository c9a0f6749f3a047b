import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/index.js';
import { newSession, rowsOf, run } from './support.js';

async function fixture() {
  const env = await newSession();
  await run(env.session,
    'CREATE TABLE t (id INT PRIMARY KEY, name STRING NOT NULL, v FLOAT, n INT)',
    "INSERT INTO t VALUES (1, 'a', 1.5, 10), (2, 'b', NULL, 20), (3, 'c', 3, NULL)");
  return env;
}

describe('write statements', () => {
  it.each([
    ["INSERT INTO t VALUES (4, 'd', 4.5, 40)", 'Inserted into t', 1, 'SELECT id, name, v, n FROM t WHERE id = 4', [[4, 'd', 4.5, 40]]],
    ["INSERT INTO t (name, id) VALUES ('e', 5)", 'Inserted into t', 1, 'SELECT * FROM t WHERE id = 5', [[5, 'e', null, null]]],
    ["INSERT INTO t VALUES (6, 'f', 2, -7), (7, 'g', -0.5, 0)", 'Inserted into t', 2, 'SELECT id, v, n FROM t WHERE id >= 6', [[6, 2, -7], [7, -0.5, 0]]],
    ["INSERT INTO t VALUES (8, 'h', 1 + 1, 2 * 3)", 'Inserted into t', 1, 'SELECT v, n FROM t WHERE id = 8', [[2, 6]]],
    ["INSERT INTO t VALUES (9, 'i', NULL, 9223372036854775807)", 'Inserted into t', 1, 'SELECT n FROM t WHERE id = 9', [[9223372036854775807n]]],
    ['UPDATE t SET v = v * 2', 'Updated 3 rows in t', 3, 'SELECT id, v FROM t', [[1, 3], [2, null], [3, 6]]],
    ['UPDATE t SET n = n + 1 WHERE id = 1', 'Updated 1 row in t', 1, 'SELECT n FROM t WHERE id = 1', [[11]]],
    ['UPDATE t SET n = 0 WHERE id > 100', 'Updated 0 rows in t', 0, 'SELECT count(*) FROM t WHERE n = 0', [[0]]],
    ['UPDATE t SET n = 5 WHERE n = 20', 'Updated 1 row in t', 1, 'SELECT id FROM t WHERE n = 5', [[2]]],
    ['UPDATE t SET v = n, n = 99 WHERE id = 1', 'Updated 1 row in t', 1, 'SELECT v, n FROM t WHERE id = 1', [[10, 99]]],
    ['UPDATE t SET id = id + 1', 'Updated 3 rows in t', 3, 'SELECT id, name FROM t', [[2, 'a'], [3, 'b'], [4, 'c']]],
    ['DELETE FROM t WHERE id = 2', 'Deleted 1 row from t', 1, 'SELECT id FROM t', [[1], [3]]],
    ['DELETE FROM t WHERE v IS NULL OR n IS NULL', 'Deleted 2 rows from t', 2, 'SELECT id FROM t', [[1]]],
    ['DELETE FROM t', 'Deleted 3 rows from t', 3, 'SELECT count(*) FROM t', [[0]]],
    ['CREATE INDEX t_n ON t (n)', 'Index t_n created', 0, 'SELECT id FROM t WHERE n = 20', [[2]]],
    ['DROP TABLE t', 'Table t dropped', 0, 'CREATE TABLE t (x INT)', null],
    ['CREATE TABLE IF NOT EXISTS t (x INT)', 'Table t already exists', 0, 'SELECT count(*) FROM t', [[3]]],
    ['DROP TABLE IF EXISTS nope', 'Table nope does not exist', 0, 'SELECT count(*) FROM t', [[3]]],
    ['CREATE TABLE w (ts INT, v FLOAT) WITH TTL=7d', 'Table w created', 0, 'SELECT count(*) FROM w', [[0]]],
    ['CREATE TABLE x (a TEXT, b BOOLEAN, c INTEGER, d DOUBLE)', 'Table x created', 0, "INSERT INTO x VALUES ('s', TRUE, 1, 2)", null],
  ] as const)('%s', async (sql, message, affected, check, rows) => {
    const { session } = await fixture();
    expect(await session.execute(sql)).toEqual({ kind: 'message', message, rowsAffected: affected });
    const r = await session.execute(check);
    if (rows !== null) expect(rowsOf(r)).toEqual(rows);
  });

  it('CREATE INDEX then DROP INDEX', async () => {
    const { session } = await fixture();
    await run(session, 'CREATE INDEX i1 ON t (name)');
    expect(await session.execute('DROP INDEX i1')).toEqual({ kind: 'message', message: 'Index i1 dropped', rowsAffected: 0 });
    expect(rowsOf(await session.execute("SELECT id FROM t WHERE name = 'b'"))).toEqual([[2]]);
  });
});

describe('errors name the problem', () => {
  it.each([
    ['SELECT * FROM nope', 'UNKNOWN_TABLE', 'Unknown table nope'],
    ['SELECT zz FROM t', 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ['SELECT t.zz FROM t', 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ['SELECT q.id FROM t', 'UNKNOWN_TABLE', 'Unknown table q in column reference q.id'],
    ["INSERT INTO nope VALUES (1)", 'UNKNOWN_TABLE', 'Unknown table nope'],
    ["INSERT INTO t (id, zz) VALUES (1, 2)", 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ["INSERT INTO t VALUES (1, 'dup', 1, 1)", 'DUPLICATE_KEY', ''],
    ["INSERT INTO t VALUES (9, NULL, 1, 1)", 'NOT_NULL_VIOLATION', 'NULL value in column t.name violates NOT NULL'],
    ["INSERT INTO t (id) VALUES (9)", 'NOT_NULL_VIOLATION', 'NULL value in column t.name violates NOT NULL'],
    ["INSERT INTO t VALUES (NULL, 'x', 1, 1)", 'NOT_NULL_VIOLATION', 'NULL value in column t.id violates NOT NULL'],
    ["INSERT INTO t VALUES ('x', 'x', 1, 1)", 'TYPE_MISMATCH', "Type mismatch: column t.id is INT, got STRING 'x'"],
    ["INSERT INTO t VALUES (9, 'x', 'y', 1)", 'TYPE_MISMATCH', "Type mismatch: column t.v is FLOAT, got STRING 'y'"],
    ["INSERT INTO t VALUES (9, 'x', 1, 1.5)", 'TYPE_MISMATCH', 'Type mismatch: column t.n is INT, got FLOAT 1.5'],
    ["INSERT INTO t VALUES (9, 'x', 1)", 'INVALID_ARGUMENT', 'INSERT INTO t: row 1 has 3 values for 4 columns'],
    ["UPDATE t SET name = NULL WHERE id = 1", 'NOT_NULL_VIOLATION', 'NULL value in column t.name violates NOT NULL'],
    ["UPDATE t SET zz = 1", 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ["UPDATE t SET n = 'x'", 'TYPE_MISMATCH', "Type mismatch: column t.n is INT, got STRING 'x'"],
    ["UPDATE t SET id = 1 WHERE id = 2", 'DUPLICATE_KEY', ''],
    ["SELECT id FROM t WHERE name = 1", 'TYPE_MISMATCH', "Type mismatch: cannot compare STRING with INT in 'name = 1'"],
    ["SELECT name + 1 FROM t", 'TYPE_MISMATCH', "Type mismatch: '+' needs numbers, got STRING in 'name + 1'"],
    ["SELECT 9223372036854775807 + 1", 'INVALID_ARGUMENT', "INT overflow in '+' (beyond int64)"],
    ["SELECT -9223372036854775808 - 1", 'INVALID_ARGUMENT', "INT overflow in '-' (beyond int64)"],
    ["SELECT 4611686018427387904 * 2", 'INVALID_ARGUMENT', "INT overflow in '*' (beyond int64)"],
    ["SELECT 9223372036854775808", 'TYPE_MISMATCH', 'Integer literal 9223372036854775808 is out of the INT (int64) range'],
    ["SELECT 1 / 0", 'INVALID_ARGUMENT', 'Division by zero'],
    ["SELECT id FROM t WHERE count(*) > 1", 'INVALID_ARGUMENT', 'Aggregate count(*) is not allowed in WHERE'],
    ["SELECT name, count(*) FROM t", 'INVALID_ARGUMENT', 'Column name must appear in GROUP BY or be used in an aggregate function'],
    ["SELECT id FROM t ORDER BY 5", 'INVALID_ARGUMENT', 'ORDER BY position 5 is not in the select list (1 to 1)'],
    ["SELECT id FROM t LIMIT -1", 'INVALID_ARGUMENT', 'LIMIT must be a non-negative integer, got -1'],
    ["SELECT foo(id) FROM t", 'UNSUPPORTED', 'Unsupported function foo()'],
    ["WITH RECURSIVE x AS (SELECT id FROM t UNION ALL SELECT count(*) FROM x) SELECT id FROM x", 'UNSUPPORTED', 'Unsupported: aggregate and window functions in the recursive part of WITH RECURSIVE x'],
    ["WITH x AS (SELECT id FROM t) CREATE TABLE y (id INT)", 'UNSUPPORTED', 'Unsupported: WITH before a statement other than SELECT, INSERT, UPDATE or DELETE'],
    ["INSERT INTO t WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", 'UNSUPPORTED', 'Unsupported: WITH ... INSERT inside another statement'],
    ["SELECT id FROM t WHERE id IN (WITH x AS (SELECT 1) SELECT * FROM x)", 'UNSUPPORTED', 'Unsupported: WITH inside an expression subquery'],
    ["SELECT * FROM t RIGHT JOIN t AS u USING (nope)", 'UNKNOWN_COLUMN', 'Unknown column nope in table t (JOIN USING)'],
    ["SELECT * FROM t LEFT JOIN t AS u", 'PARSE_ERROR', 'Parse error: LEFT JOIN needs ON or USING, but the statement ended'],
    ["INSERT INTO t DEFAULT VALUES", 'UNSUPPORTED', 'Unsupported: INSERT ... DEFAULT VALUES'],
    ["SELECT id FROM t; SELECT 1", 'UNSUPPORTED', "Parse error: only one statement per request (found ';' at line 1, column 17)"],
    ['SELEC id FROM t', 'PARSE_ERROR', "Parse error: unexpected 'SELEC' at line 1, column 1"],
    ['SELECT id FROM t WHERE', 'PARSE_ERROR', 'Parse error: unexpected end of statement'],
    ["SELECT 'abc FROM t", 'PARSE_ERROR', 'Parse error: unterminated string at line 1, column 8'],
    ['SELECT id FROM t WHERE id = = 1', 'PARSE_ERROR', "Parse error: unexpected '=' at line 1, column 29"],
    ['CREATE TABLE t (id INT)', 'TABLE_EXISTS', 'Table t already exists'],
    ['CREATE TABLE q (id BLOB)', 'PARSE_ERROR', "Parse error: unknown type 'BLOB' for column id (INT, FLOAT, STRING, TEXT, BOOLEAN) at line 1, column 20"],
    ['CREATE TABLE q (id INT) WITH TTL=7x', 'PARSE_ERROR', "Parse error: bad TTL '7x' (expected a number and s, m, h or d, e.g. 7d) at line 1, column 34"],
    ['CREATE TABLE q (id INT) WITH TTL=99999999999999d', 'PARSE_ERROR', "Parse error: TTL '99999999999999d' is too long (at most 104249991d) at line 1, column 34"],
    ['CREATE TABLE q (id INT, id INT)', 'INVALID_ARGUMENT', 'Column id is declared twice in table q'],
    ['CREATE TABLE q (id INT, PRIMARY KEY (zz))', 'UNKNOWN_COLUMN', 'PRIMARY KEY column zz is not a column of table q'],
    ['CREATE INDEX i ON nope (a)', 'UNKNOWN_TABLE', 'Unknown table nope'],
    ['CREATE INDEX i ON t (zz)', 'UNKNOWN_COLUMN', 'Unknown column zz in table t'],
    ['DROP TABLE nope', 'UNKNOWN_TABLE', 'Unknown table nope'],
    ['DROP INDEX nope', 'UNKNOWN_INDEX', 'Unknown index nope'],
    ['COMMIT', 'TRANSACTION_STATE', 'No transaction in progress (COMMIT without BEGIN)'],
    ['ROLLBACK', 'TRANSACTION_STATE', 'No transaction in progress (ROLLBACK without BEGIN)'],
    ["SELECT time_bucket('1x', n) FROM t", 'INVALID_ARGUMENT', "time_bucket: bad width '1x' (expected e.g. '30s', '1m', '1h', '1d')"],
    ["SELECT time_bucket('1M', n) FROM t", 'INVALID_ARGUMENT', "time_bucket: '1M' is ambiguous: write 'm' for minutes; for months, which have no fixed width, use date_trunc('month', ts)"],
    ["SELECT id FROM t WHERE name LIKE 1", 'TYPE_MISMATCH', "Type mismatch: LIKE needs STRING operands, got INT in 'name like 1'"],
    ['', 'PARSE_ERROR', 'Parse error: empty statement'],
  ] as const)('%s', async (sql, code, message) => {
    const { session } = await fixture();
    const error: unknown = await session.execute(sql).then(() => undefined, (e: unknown) => e);
    expect(isChronosError(error, code), String(error)).toBe(true);
    if (message !== '' && error instanceof Error) expect(error.message).toBe(message);
    if (error instanceof Error) expect(error.message.length).toBeGreaterThan(5);
  });
});

describe('atomicity', () => {
  it('a failing multi-row INSERT leaves nothing behind', async () => {
    const { session } = await fixture();
    await expect(session.execute("INSERT INTO t VALUES (10, 'x', 1, 1), (11, 'y', 1, 1), (1, 'dup', 1, 1)")).rejects.toThrow();
    expect(rowsOf(await session.execute('SELECT count(*) FROM t'))).toEqual([[3]]);
  });

  it('a failing UPDATE leaves every row as it was', async () => {
    const { session } = await fixture();
    await expect(session.execute('UPDATE t SET n = n * 9223372036854775807')).rejects.toThrow('INT overflow');
    expect(rowsOf(await session.execute('SELECT n FROM t'))).toEqual([[10], [20], [null]]);
  });

  it('UPDATE SET sees the pre-statement row (swap)', async () => {
    const { session } = await fixture();
    await run(session, 'CREATE TABLE p (a INT, b INT)', 'INSERT INTO p VALUES (1, 2), (3, 4)');
    expect(await session.execute('UPDATE p SET a = b, b = a')).toMatchObject({ rowsAffected: 2 });
    expect(rowsOf(await session.execute('SELECT a, b FROM p ORDER BY a'))).toEqual([[2, 1], [4, 3]]);
  });
});
