import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';
import type { Session } from '../../src/sql/session.js';

// PostgreSQL's answers (sqlite3 agrees except where noted); the differential test covers the
// cases the two engines share over random data.
const CASES: readonly (readonly [string, unknown])[] = [
  ["CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' ELSE 'c' END", 'b'],
  ['CASE WHEN NULL THEN 1 END', null],
  ['CASE 3 WHEN 1 THEN 10 WHEN 3 THEN 30 END', 30],
  ['CASE NULL WHEN NULL THEN 1 ELSE 2 END', 2],
  ['CASE WHEN true THEN 1 ELSE 2.5 END', 1],
  ['CAST(2.5 AS INT)', 2],
  ['CAST(3.5 AS INT)', 4], // PostgreSQL rounds half to even; sqlite3 truncates (3)
  ['CAST(-2.5 AS INT)', -2],
  ["'42'::int + 1", 43],
  ["CAST(' 7 ' AS INT)", 7],
  ["CAST(12 AS TEXT) || 'x'", '12x'],
  ['CAST(2.5 AS TEXT)', '2.5'],
  ['CAST(3.0 AS TEXT)', '3'], // sqlite3: '3.0'
  // A FLOAT is written as PostgreSQL writes a double: shortest digits, an exponent outside [-4, 15).
  ['CAST(0.1 + 0.2 AS TEXT)', '0.30000000000000004'], // sqlite3: '0.3' (15 digits)
  ['CAST(123456789012345.0 AS TEXT)', '123456789012345'],
  ['CAST(1e15 AS TEXT)', '1e+15'], // sqlite3: '1.0e+15'
  ['CAST(2.5e20 AS TEXT)', '2.5e+20'],
  ['CAST(1e21 AS TEXT)', '1e+21'],
  ['CAST(1e300 * 10 AS TEXT)', '1e+301'],
  ['CAST(0.0001 AS TEXT)', '0.0001'],
  ['CAST(0.00001 AS TEXT)', '1e-05'],
  ['CAST(-1.5e-7 AS TEXT)', '-1.5e-07'],
  ['CAST(-0.0 AS TEXT)', '0'], // -0.0 = 0.0 (PostgreSQL: '-0')
  ['CAST(1000000000000000 AS TEXT)', '1000000000000000'], // an INT is written in full
  ["concat(1e15, '|', 2.5e-5, '|', 1000000000000000, '|', 0.5)", '1e+15|2.5e-05|1000000000000000|0.5'],
  ["CAST('1.5e2' AS FLOAT)", 150],
  // The non-finite FLOATs as PostgreSQL reads them (any case, spaces around) and as we write them.
  ["CAST('NaN' AS FLOAT)", Number.NaN],
  ["CAST(' nan ' AS FLOAT)", Number.NaN],
  ["CAST('Infinity' AS FLOAT)", Infinity],
  ["CAST('-Infinity' AS FLOAT)", -Infinity],
  ["CAST('+infinity' AS FLOAT)", Infinity],
  ["CAST('inf' AS FLOAT)", Infinity],
  ["CAST(' -INF' AS FLOAT)", -Infinity],
  ["'Inf'::float > 1e308", true],
  ["CAST('NaN' AS FLOAT) = CAST('nan' AS FLOAT)", true], // NaN equals NaN, as in PostgreSQL
  ["CAST(CAST('-inf' AS FLOAT) AS TEXT) || '|' || CAST(CAST('nan' AS FLOAT) AS TEXT)", '-Infinity|NaN'],
  ['CAST(true AS INT)', 1],
  ["CAST('yes' AS BOOLEAN)", true],
  ['CAST(NULL AS INT)', null],
  ['-2::int', -2],
  ['nullif(3, 3)', null],
  ['nullif(3, 4)', 3],
  ['coalesce(NULL, 2, 3)', 2],
  ['round(2.5)', 3],
  ['round(-2.5)', -3],
  ['round(2.345, 2)', 2.35],
  ['round(1234, -2)', 1200],
  ['floor(-2.5)', -3],
  ['ceil(-2.5)', -2],
  ['ceil(7)', 7],
  ["left('abcde', 2) || '|' || left('abcde', -2) || '|' || right('abcde', 2) || '|' || right('abcde', -2)", 'ab|abc|de|cde'],
  ["lpad('7', 3, '0')", '007'],
  ["lpad('hi', 4)", '  hi'],
  ["rpad('ab', 5, 'xy')", 'abxyx'],
  ["lpad('1', 6, 'é😀')", 'é😀é😀é1'], // filled in characters, a fill of astral ones too
  ["lpad('hello', 3)", 'hel'], // cut on the right, as PostgreSQL does
  ["repeat('ab', 3)", 'ababab'],
  ["repeat('a', -1)", ''],
  ["reverse('héllo')", 'olléh'],
  ["starts_with('sensor-1', 'sensor')", true],
  ["split_part('a,b,c', ',', 2)", 'b'],
  ["split_part('a,b,c', ',', -1)", 'c'],
  ["split_part('a,b,c', ',', 5)", ''],
  ["concat_ws('-', 'a', NULL, 1, 2.5)", 'a-1-2.5'],
  ["concat_ws(NULL, 'a')", null],
  ["position('b' IN 'abc')", 2],
  ["position('' IN 'x')", 1],
  ["strpos('héllo', 'l')", 3], // counted in characters
  ["strpos('abc', 'z')", 0],
  // sqlite's and PostgreSQL's other names.
  ["instr('héllo', 'l')", 3],
  ["instr('abc', '')", 1],
  ['ifnull(NULL, 2)', 2],
  ['ifnull(1, 2.5)', 1], // FLOAT, as coalesce: the INT becomes a double
  ["iif(1 < 2, 'yes', 'no')", 'yes'],
  ["iif(NULL, 'yes', 'no')", 'no'],
  ["char_length('héllo')", 5],
  ["character_length('')", 0],
  ['trunc(2.7)', 2],
  ['trunc(-2.7)', -2],
  ['trunc(0.29, 2)', 0.29], // 0.29 * 100 is 28.999999999999996 in a double
  ['trunc(-1299, -2)', -1200],
  ['trunc(7)', 7],
  ['sign(-3)', -1],
  ['sign(2.5)', 1],
  ['sign(0)', 0],
  ['mod(-7, 3)', -1], // the dividend's sign, as %
  ['mod(7.5, 2)', 1.5],
  ['mod(9223372036854775807, 10)', 7],
  ['greatest(1, 2.5, NULL)', 2.5], // NULLs are skipped (sqlite3's max(a, b, ...) is NULL)
  ["least('b', NULL, 'a')", 'a'],
  ['greatest(NULL, NULL)', null],
  ['sqrt(16)', 4],
  ['sin(0)', 0],
  ['cos(0)', 1],
  ['atan2(1, 1) * 4', Math.PI],
  ['asin(1) * 2', Math.PI],
  ['acosh(1)', 0],
  ['tanh(0) + round(cot(pi() / 4), 9)', 1],
  ['cbrt(-27)', -3],
  ['power(2, 10)', 1024],
  ['pow(-2, 3)', -8],
  // PostgreSQL 15's float8 power with NaN and infinite exponents (POSIX pow; JavaScript's ** answers NaN for 1 ** Infinity).
  ["power(1.0, CAST('NaN' AS FLOAT))", 1],
  ["power(1.0, CAST('Infinity' AS FLOAT))", 1],
  ["power(-1.0, CAST('-Infinity' AS FLOAT))", 1],
  ["power(-2.0, CAST('Infinity' AS FLOAT))", Infinity],
  ["power(0.5, CAST('Infinity' AS FLOAT))", 0],
  ["power(-0.5, CAST('-Infinity' AS FLOAT))", Infinity],
  ["power(-8.0, CAST('-Infinity' AS FLOAT))", 0],
  ["power(-2.0, CAST('NaN' AS FLOAT))", Number.NaN],
  ["power(CAST('NaN' AS FLOAT), 0)", 1],
  ["power(CAST('-Infinity' AS FLOAT), 3)", -Infinity],
  ['exp(0)', 1],
  ['ln(1)', 0],
  ['log(1000)', 3], // base 10, as in PostgreSQL and sqlite3
  ['log(2, 8)', 3],
  ['log10(0.001)', -3],
  ['degrees(pi())', 180],
  ['radians(180) = pi()', true],
  ["substr('hello', 2)", 'ello'],
  ["substr('hello', 2, 3)", 'ell'],
  ["substr('hello', 0, 3)", 'he'],
  ["substr('hello', -1, 3)", 'h'], // sqlite3 counts from the end: 'o'
  ["substring('héllo', 2, 2)", 'él'],
  ["replace('banana', 'an', 'AN')", 'bANANa'],
  ["replace('abc', '', 'x')", 'abc'],
  ["trim('  ab  ')", 'ab'],
  ["ltrim('xxabx', 'x')", 'abx'],
  ["rtrim('xxabx', 'x')", 'xxab'],
  ["concat('a', NULL, 1, 2.5, true)", 'a12.5true'],
  ["length('héllo')", 5],
  ["upper('abc') || lower('DEF')", 'ABCdef'],
  ["datetime(1700000000, 'unixepoch')", '2023-11-14 22:13:20'],
  ["date(1700000000, 'unixepoch')", '2023-11-14'],
  ["time(1700000000.75, 'unixepoch')", '22:13:20'],
  ["strftime('%Y/%m/%d %H:%M:%f %j %w %s %%', 1700000000.5, 'unixepoch')", '2023/11/14 22:13:20.500 318 2 1700000000 %'],
  ["unixepoch('2023-11-14 22:13:20')", 1700000000],
  ["strftime('%s', '2023-11-14')", '1699920000'],
  ["strftime('%j', '0050-12-31')", '365'], // years 0-99 are not 1900-1999
  ["strftime('%j', -62167219200, 'unixepoch')", '001'],
  ["date('2024-02-29')", '2024-02-29'],
  // A field out of range is no date (sqlite3: NULL), never rolled into the next month or day.
  ["date('2023-13-01')", null],
  ["date('2023-01-32')", null],
  ["date('2023-00-10')", null],
  ["date('2023-02-29')", null],
  ["unixepoch('2023-11-14 25:00:00')", null],
  ["unixepoch('2023-11-14 22:13:61')", null],
  ["datetime(-1, 'unixepoch')", '1969-12-31 23:59:59'],
  // sqlite3 reads a text that is a number as that number, and no space before a date.
  ["datetime(' 1700000000 ', 'unixepoch')", '2023-11-14 22:13:20'],
  ["date(' 2023-11-14')", null],
  ["date('2023-11-14 ')", '2023-11-14'],
  ["datetime('now')", '2023-11-14 22:13:20'], // the statement's time (the leader's, for writes)
  ["date(-62167219201, 'unixepoch')", null], // before year 0000
  // Modifiers, each answer as sqlite3 3.40 gives it.
  ["datetime(1700000000, 'unixepoch', '+1 day')", '2023-11-15 22:13:20'],
  ["datetime(1700000000, 'unixepoch', '-1.5 hours')", '2023-11-14 20:43:20'],
  ["datetime('2023-01-31', '+1 month')", '2023-03-03 00:00:00'], // April 31st runs on, as in sqlite
  ["datetime('2023-01-31 10:20:30', '+1.5 months')", '2023-03-18 10:20:30'], // the half as 15 days
  ["datetime('2024-02-29', '+1 year')", '2025-03-01 00:00:00'],
  ["datetime('2024-02-29', '-1.25 years')", '2022-11-29 18:00:00'],
  ["date('2023-11-14 22:13:20', 'start of year', '+6 months')", '2023-07-01'],
  ["datetime('2023-11-14 22:13:20', 'start of day')", '2023-11-14 00:00:00'],
  ["date(1700000000, 'unixepoch', 'start of month', '+1 month', '-1 day')", '2023-11-30'],
  ["date('2023-11-14', 'weekday 0')", '2023-11-19'],
  ["date('2023-11-14', 'weekday 2')", '2023-11-14'], // already a Tuesday
  ["strftime('%H:%M:%f', '2023-11-14 22:13:20.5', '+0.0005 seconds')", '22:13:20.501'],
  ["unixepoch('2023-11-14', '+1 DAYS')", 1700006400],
  ["date('2023-05-31', '-13 months')", '2022-05-01'],
  ["date('2023-11-14', '+1e1 days')", '2023-11-24'],
  ["date('2023-11-14', 'weekday  3')", '2023-11-15'], // sqlite reads the day as a number
  ["date('2023-11-14', 'weekday +3.0')", '2023-11-15'],
  ["date('9999-12-01', '+1 month')", null], // past year 9999
  ["date('2023-11-14', '+5373485 days')", null], // past sqlite's limit for days
  // date_trunc over 2023-11-14 22:13:20.7 UTC (a Tuesday), answering unix seconds.
  ["date_trunc('second', 1700000000.7)", 1700000000],
  ["date_trunc('minute', 1700000000)", 1699999980],
  ["date_trunc('hours', 1700000000)", 1699999200],
  ["date_trunc('DAY', 1700000000)", 1699920000],
  ["date_trunc('week', 1700000000)", 1699833600], // Monday 2023-11-13
  ["date_trunc('month', 1700000000)", 1698796800],
  ["date_trunc('quarter', 1700000000)", 1696118400], // 2023-10-01
  ["date_trunc('quarter', 1680000000)", 1672531200], // 2023-03-28 falls in Q1
  ["date_trunc('year', 1700000000)", 1672531200],
  ["date_trunc('week', -1)", -259200], // Wednesday 1969-12-31 to Monday the 29th
  ["date_trunc('hour', -1)", -3600],
  ["date_trunc('year', -62167219201)", null], // before year 0000
  ["date_trunc('day', NULL)", null],
  ['to_timestamp(1700000000)', '2023-11-14 22:13:20+00'],
  ['to_timestamp(1700000000.5)', '2023-11-14 22:13:20.5+00'],
  // PostgreSQL 15: year 0 is 1 BC; microseconds round half to even, counted from 2000-01-01.
  ['to_timestamp(-62135596801)', '0001-12-31 23:59:59+00 BC'],
  ['to_timestamp(-62135596800.5)', '0001-12-31 23:59:59.5+00 BC'],
  ['to_timestamp(0.0000005)', '1970-01-01 00:00:00+00'],
  ['to_timestamp(0.0000015)', '1970-01-01 00:00:00.000002+00'],
  ['to_timestamp(1700000000.9464246)', '2023-11-14 22:13:20.946424+00'],
];

/** A session whose table t (id INT PRIMARY KEY, g INT) holds `rows` (VALUES text). */
async function tableT(rows: string): Promise<Session> {
  const { session } = await newSession();
  await session.execute('CREATE TABLE t (id INT PRIMARY KEY, g INT)');
  await session.execute(`INSERT INTO t VALUES ${rows}`);
  return session;
}

describe('CASE, CAST, and scalar functions', () => {
  it.each(CASES)('%s', async (expr, expected) => {
    const { session } = await newSession(1_700_000_000_000);
    expect(rowsOf(await session.execute(`SELECT ${expr}`))).toEqual([[expected]]);
  });

  it('writes a FLOAT read from a table as a double, whatever value it holds', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE f (id INT PRIMARY KEY, v FLOAT)');
    await session.execute('INSERT INTO f VALUES (1, 1e15), (2, 42), (3, 0.000025), (4, NULL)');
    expect(rowsOf(await session.execute("SELECT CAST(v AS TEXT), concat('v=', v), v::text FROM f ORDER BY id"))).toEqual([
      ['1e+15', 'v=1e+15', '1e+15'], ['42', 'v=42', '42'], ['2.5e-05', 'v=2.5e-05', '2.5e-05'], [null, 'v=', null],
    ]);
  });

  it('stores and orders the non-finite FLOATs a CAST reads', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE f (id INT PRIMARY KEY, v FLOAT)');
    await session.execute("INSERT INTO f VALUES (1, CAST('NaN' AS FLOAT)), (2, '-inf'::float), (3, 1.5), (4, 'Infinity'::float)");
    // NaN sorts above every number (PostgreSQL).
    expect(rowsOf(await session.execute('SELECT id, v::text FROM f ORDER BY v'))).toEqual([
      [2, '-Infinity'], [3, '1.5'], [4, 'Infinity'], [1, 'NaN'],
    ]);
  });

  it('names a CASE or CAST column by its text', async () => {
    const { session } = await newSession();
    const result = await session.execute('SELECT CASE WHEN 1 = 1 THEN 2 END, 5::text, CAST(5 AS INT) AS n');
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['case when 1 = 1 then 2 end', 'cast(5 as string)', 'n']);
  });

  it('names position() and left() columns in the form they were written', async () => {
    const { session } = await newSession();
    const result = await session.execute("SELECT position('a' || 'b' IN 'xab'), LEFT('abc', 2), strpos('ab', 'b')");
    expect(result.kind === 'rows' ? result.columns : []).toEqual(["position('a' || 'b' in 'xab')", "left('abc', 2)", "strpos('ab', 'b')"]);
    expect(rowsOf(result)).toEqual([[2, 'ab', 2]]);
  });

  it('coalesce() is a CASE: what follows the first non-NULL argument is not evaluated (PostgreSQL)', async () => {
    const session = await tableT('(1, 0), (2, 5), (3, NULL)');
    expect(rowsOf(await session.execute('SELECT coalesce(id, 1 / (id - id)) FROM t ORDER BY id'))).toEqual([[1], [2], [3]]);
    expect(rowsOf(await session.execute('SELECT coalesce(g, 10 / (id - 3), -1) FROM t WHERE id < 3 ORDER BY id'))).toEqual([[0], [5]]);
    await expectError(session, 'SELECT coalesce(g, 10 / (id - 3)) FROM t', 'INVALID_ARGUMENT', 'Division by zero');
  });

  it('ifnull() and iif() evaluate only what they answer with, as coalesce and CASE do', async () => {
    const session = await tableT('(1, 0), (2, 5), (3, NULL)');
    expect(rowsOf(await session.execute('SELECT ifnull(g, 1 / (id - 3)), iif(g = 0, 1 / (id - 2), 1 / (id - 1)) FROM t WHERE id < 3 ORDER BY id')))
      .toEqual([[0, -1], [5, 1]]);
    await expectError(session, 'SELECT iif(g, 1, 2) FROM t', 'TYPE_MISMATCH', /CASE WHEN needs a BOOLEAN condition, got INT/);
    await expectError(session, 'SELECT iif(g = 1, 1) FROM t', 'INVALID_ARGUMENT', 'iif() takes 3 arguments (a condition, then, else), got 2');
    await expectError(session, 'SELECT ifnull(g) FROM t', 'INVALID_ARGUMENT', 'ifnull() takes 2 arguments, got 1');
  });

  it('|| writes a number or BOOLEAN beside a STRING as CAST(... AS TEXT) does; two numbers are refused (PostgreSQL)', async () => {
    const session = await tableT('(1, 0), (2, 5), (3, NULL)');
    expect(rowsOf(await session.execute("SELECT 'esp-' || id, g || '/' || id, 'v=' || 4.0, 'v=' || 2.5e-5, 'b:' || (g > 1) FROM t ORDER BY id")))
      .toEqual([['esp-1', '0/1', 'v=4', 'v=2.5e-05', 'b:false'], ['esp-2', '5/2', 'v=4', 'v=2.5e-05', 'b:true'], ['esp-3', null, 'v=4', 'v=2.5e-05', null]]);
    expect(rowsOf(await session.execute("SELECT NULL || 1, 9223372036854775807 || ''"))).toEqual([[null, '9223372036854775807']]);
    await expectError(session, 'SELECT id || g FROM t', 'TYPE_MISMATCH', "Type mismatch: || needs a STRING operand, got INT and INT in 'id || g'");
  });

  it('total() is a FLOAT sum, 0 over no values (sqlite)', async () => {
    const session = await tableT('(1, 9223372036854775807), (2, 1), (3, NULL)');
    expect(rowsOf(await session.execute('SELECT total(g), total(g) FILTER (WHERE id > 5), total(DISTINCT id % 2) FROM t')))
      .toEqual([[9223372036854775808, 0, 1]]);
    await expectError(session, "SELECT total('a')", 'TYPE_MISMATCH', /total\(\) needs a number, got STRING/);
  });

  it('a constant that fails in a part that may not run fails only where it runs', async () => {
    const session = await tableT('(1, 0), (2, 5), (3, NULL)');
    const ids = 'FROM t WHERE id < 3 ORDER BY id';
    expect(rowsOf(await session.execute(`SELECT coalesce(g, 1 / 0) ${ids}`))).toEqual([[0], [5]]);
    expect(rowsOf(await session.execute(`SELECT CASE WHEN id < 3 THEN id ELSE 1 / 0 END ${ids}`))).toEqual([[1], [2]]);
    expect(rowsOf(await session.execute(`SELECT CASE WHEN id > 5 THEN 1 / 0 WHEN id < 3 THEN 1 END ${ids}`))).toEqual([[1], [1]]);
    expect(rowsOf(await session.execute(`SELECT id > 0 OR 1 / 0 = 1, id < 0 AND 1 / 0 = 1 ${ids}`)))
      .toEqual([[true, false], [true, false]]);
    await expectError(session, 'SELECT coalesce(g, 1 / 0) FROM t', 'INVALID_ARGUMENT', 'Division by zero');
    await expectError(session, 'SELECT CASE WHEN id < 3 THEN id ELSE 1 / 0 END FROM t', 'INVALID_ARGUMENT', 'Division by zero');
    // Outside such a part a failing constant is still found before any row is read.
    await expectError(session, 'SELECT id, 1 / 0 FROM t WHERE id > 100', 'INVALID_ARGUMENT', 'Division by zero');
  });

  it('gives every replica the leader\'s now(): a write stores the statement time', async () => {
    const { session, clock } = await newSession(1_700_000_000_000);
    await session.execute('CREATE TABLE e (id INT PRIMARY KEY, at STRING)');
    await session.execute("INSERT INTO e VALUES (1, datetime('now')), (2, datetime(now(), 'unixepoch'))");
    clock.set(1_800_000_000_000);
    expect(rowsOf(await session.execute('SELECT at FROM e ORDER BY id'))).toEqual([['2023-11-14 22:13:20'], ['2023-11-14 22:13:20']]);
  });
});

describe('errors name the problem', () => {
  it.each([
    ["CAST('x' AS INT)", 'INVALID_ARGUMENT', "Cannot cast 'x' to INT"],
    ["CAST('nanx' AS FLOAT)", 'INVALID_ARGUMENT', "Cannot cast 'nanx' to FLOAT"],
    ["CAST('in f' AS FLOAT)", 'INVALID_ARGUMENT', "Cannot cast 'in f' to FLOAT"],
    ["CAST('NaN' AS INT)", 'INVALID_ARGUMENT', "Cannot cast 'NaN' to INT"],
    ["CAST(CAST('inf' AS FLOAT) AS INT)", 'INVALID_ARGUMENT', 'Cannot cast Infinity to INT'],
    // 300,000 digits that are no number fail at once (the pattern once tried every split of them).
    ["CAST(repeat('1', 300000) || 'e' AS FLOAT) IS NULL", 'INVALID_ARGUMENT', /^Cannot cast '1{200}\.\.\.' to FLOAT$/],
    // Beyond the double range: refused, as the literal 1e400 is, not read as Infinity.
    ["CAST('1e400' AS FLOAT)", 'INVALID_ARGUMENT', "Cannot cast '1e400' to FLOAT: out of the FLOAT (double) range"],
    ['CAST(1.5 AS BOOLEAN)', 'TYPE_MISMATCH', "Type mismatch: cannot cast FLOAT to BOOLEAN in 'cast(1.5 as boolean)'"],
    ['CAST(1 AS BLOB)', 'PARSE_ERROR', "Parse error: unknown type 'BLOB' (INT, FLOAT, STRING, TEXT, BOOLEAN) at line 1, column 18"],
    ["CASE WHEN 1 THEN 'a' END", 'TYPE_MISMATCH', "Type mismatch: CASE WHEN needs a BOOLEAN condition, got INT in 'case when 1 then 'a' end'"],
    ["CASE WHEN true THEN 1 ELSE 'a' END", 'TYPE_MISMATCH', "Type mismatch: CASE 'case when true then 1 else 'a' end' mixes INT, STRING"],
    ['CASE END', 'PARSE_ERROR', "Parse error: unexpected 'END' at line 1, column 13"],
    ["nullif(1, 'a')", 'TYPE_MISMATCH', 'Type mismatch: nullif() cannot compare INT with STRING'],
    ["substr('abc', 1, -1)", 'INVALID_ARGUMENT', 'substr(): negative length -1'],
    ["TRIM(BOTH 'x' FROM 'xax')", 'UNSUPPORTED', 'Unsupported: TRIM(BOTH|LEADING|TRAILING ... FROM ...); use trim/ltrim/rtrim(s [, chars])'],
    ["substring('abc' FROM 2)", 'UNSUPPORTED', 'Unsupported: substring(... FROM/FOR ...); use substr(s, start, length)'],
    ["split_part('a,b', ',', 0)", 'INVALID_ARGUMENT', 'split_part(): field position must not be zero'],
    ["repeat('ab', 10000000)", 'LIMIT_EXCEEDED', 'repeat() would make a string of 20000000 characters, over the limit of 16777216'],
    ["left(1, 2)", 'TYPE_MISMATCH', 'Type mismatch: left() needs a STRING, got INT'],
    ["position('a', 'b')", 'PARSE_ERROR', "Parse error: expected IN, found ',' at line 1, column 20"],
    ["extract(hour FROM '2024-01-01')", 'TYPE_MISMATCH', /extract\(\) needs unix seconds \(a number\), got STRING/],
    ['datetime(1700000000)', 'INVALID_ARGUMENT', "datetime(): a number needs the 'unixepoch' modifier first, e.g. datetime(ts, 'unixepoch') (unix seconds)"],
    ["datetime(1700000000, '+1 day')", 'INVALID_ARGUMENT', "datetime(): a number needs the 'unixepoch' modifier first, e.g. datetime(ts, 'unixepoch') (unix seconds)"],
    ["datetime(1700000000, 'unixepoch', 'localtime')", 'UNSUPPORTED', "Unsupported: datetime() modifier 'localtime' (times are UTC)"],
    ["date('2023-11-14', '+01:30')", 'UNSUPPORTED', "Unsupported: date() modifier '+01:30' (times are UTC)"],
    ["date('2023-11-14', 'unixepoch')", 'INVALID_ARGUMENT', "date(): 'unixepoch' must come right after a number of unix seconds"],
    ["date('2023-11-14', '+1 fortnight')", 'INVALID_ARGUMENT', "date(): unknown modifier '+1 fortnight' (take 'NNN days|hours|minutes|seconds|months|years', 'start of day|month|year', 'weekday N')"],
    ["date('2023-11-14', 'weekday 7')", 'INVALID_ARGUMENT', /unknown modifier 'weekday 7'/],
    ["date('2023-11-14', '.5 day')", 'INVALID_ARGUMENT', /unknown modifier '\.5 day'/], // sqlite: a sign or a digit first
    // A long run of digits is read once, not tried every way (it once took seconds), and is not echoed whole.
    ["date('2023-11-14', repeat('1', 200000) || 'x')", 'INVALID_ARGUMENT', /unknown modifier '1{64}\.\.\.'/],
    ["date_trunc('decade', 0)", 'UNSUPPORTED', 'Unsupported: date_trunc() unit \'decade\' (second, minute, hour, day, week, month, quarter, year)'],
    ["date_trunc('fortnight', 0)", 'INVALID_ARGUMENT', "date_trunc(): unknown unit 'fortnight' (second, minute, hour, day, week, month, quarter, year)"],
    ["date_trunc('day', '2023-11-14')", 'TYPE_MISMATCH', /date_trunc\(\) needs unix seconds \(a number\), got STRING; read a text date with unixepoch\(text\) first/],
    ["strftime(repeat('%Y', 600), 0, 'unixepoch')", 'LIMIT_EXCEEDED', 'strftime() format of 1200 characters, over the limit of 1024'],
    ["strftime('%Q', 0, 'unixepoch')", 'UNSUPPORTED', 'Unsupported: strftime() format %Q (%Y %m %d %H %M %S %f %s %j %w %%)'],
    ["to_timestamp('x')", 'TYPE_MISMATCH', 'Type mismatch: to_timestamp() needs unix seconds (a number), got STRING'],
    // Where a real answer does not exist: PostgreSQL's errors (sqlite3 answers NULL).
    ['sqrt(-1)', 'INVALID_ARGUMENT', 'cannot take square root of a negative number'],
    ['ln(0)', 'INVALID_ARGUMENT', 'cannot take logarithm of zero'],
    ['log(-10)', 'INVALID_ARGUMENT', 'cannot take logarithm of a negative number'],
    ['log(1, 8)', 'INVALID_ARGUMENT', 'Division by zero'],
    ['power(0, -1)', 'INVALID_ARGUMENT', 'zero raised to a negative power is undefined'],
    ['power(-8, 0.5)', 'INVALID_ARGUMENT', 'a negative number raised to a non-integer power yields a complex result'],
    ['mod(1, 0)', 'INVALID_ARGUMENT', 'Division by zero'],
    ['asin(1.5)', 'INVALID_ARGUMENT', 'input is out of range'],
    ["sin(CAST('Infinity' AS FLOAT))", 'INVALID_ARGUMENT', 'input is out of range'],
    ['acosh(0.5)', 'INVALID_ARGUMENT', 'input is out of range'],
    ['atanh(-2)', 'INVALID_ARGUMENT', 'input is out of range'],
    ["sqrt('a')", 'TYPE_MISMATCH', 'Type mismatch: sqrt() needs a number, got STRING'],
    ["greatest(1, 'a')", 'TYPE_MISMATCH', 'Type mismatch: greatest() arguments mixes INT, STRING'],
    ['trunc(2.5, 1.5)', 'TYPE_MISMATCH', 'Type mismatch: trunc() digits must be an INT, got FLOAT'],
  ] as const)('%s', async (expr, code, message) => {
    await expectError((await newSession()).session, `SELECT ${expr}`, code, message);
  });
});

describe('strings an expression builds are bounded (16 Mi characters)', () => {
  // 'aaaa' replaced n deep: 4, 16, 256, 65,536, then 2^32 characters.
  const grow = (depth: number): string =>
    depth === 0 ? "'aaaa'" : `replace(${grow(depth - 1)}, 'a', ${grow(depth - 1)})`;
  const atLimit = `replace(${grow(3)}, 'a', ${grow(2)})`;

  it.each([
    [`length(${grow(4)})`, 'LIMIT_EXCEEDED', 'replace() would make a string of 4294967296 characters, over the limit of 16777216'],
    [`length(concat(${atLimit}, 'a'))`, 'LIMIT_EXCEEDED', 'concat() would make a string of 16777217 characters, over the limit of 16777216'],
    [`length('a' || ${atLimit})`, 'LIMIT_EXCEEDED', "'||' would make a string of 16777217 characters, over the limit of 16777216"],
  ] as const)('%#', async (expr, code, message) => {
    await expectError((await newSession()).session, `SELECT ${expr}`, code, message);
  });

  it('lets a string of exactly the limit through', async () => {
    const { session } = await newSession();
    expect(rowsOf(await session.execute(`SELECT length(${atLimit})`))).toEqual([[16_777_216]]);
  });
});
