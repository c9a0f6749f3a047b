import { describe, expect, it } from 'vitest';
import { Random, isChronosError } from '../../src/lib/index.js';
import { decodeWriteCommand, encodeWriteCommand } from '../../src/sql/command.js';
import { classify } from '../../src/sql/execute.js';
import { parseStatement, parseWithoutFastPath } from '../../src/sql/parse.js';
import type { Statement } from '../../src/sql/ast.js';
import { valuesExprs } from '../../src/sql/values-scanner.js';
import { tokenize } from '../../src/sql/lexer.js';

describe('AST', () => {
  it.each([
    ['CREATE TABLE sensors (id INT, temp FLOAT, device STRING)', { kind: 'createTable', table: 'sensors', ifNotExists: false, primaryKey: [], ttlMs: null, columns: [
      { name: 'id', type: 'INT', notNull: false, primaryKey: false },
      { name: 'temp', type: 'FLOAT', notNull: false, primaryKey: false },
      { name: 'device', type: 'STRING', notNull: false, primaryKey: false }] }],
    ['create table T (Id int primary key, s text not null) with ttl=7d', { kind: 'createTable', table: 't', ifNotExists: false, primaryKey: ['id'], ttlMs: 7 * 86_400_000, columns: [
      { name: 'id', type: 'INT', notNull: true, primaryKey: true },
      { name: 's', type: 'STRING', notNull: true, primaryKey: false }] }],
    ['CREATE TABLE t (a INT, b BOOLEAN, PRIMARY KEY (b, a)) WITH TTL=30s', { kind: 'createTable', table: 't', ifNotExists: false, primaryKey: ['b', 'a'], ttlMs: 30_000, columns: [
      { name: 'a', type: 'INT', notNull: true, primaryKey: true },
      { name: 'b', type: 'BOOLEAN', notNull: true, primaryKey: true }] }],
    ['CREATE TABLE t (a INT) WITH TTL=2h', { ttlMs: 7_200_000 }],
    ['CREATE TABLE t (a INT) WITH TTL=5m', { ttlMs: 300_000 }],
    ['CREATE INDEX i ON t (a, b)', { kind: 'createIndex', name: 'i', table: 't', columns: ['a', 'b'], ifNotExists: false }],
    ['DROP INDEX i', { kind: 'dropIndex', name: 'i', ifExists: false }],
    ['DROP TABLE IF EXISTS t;', { kind: 'dropTable', table: 't', ifExists: true }],
    ['ALTER TABLE t ADD COLUMN c FLOAT NOT NULL', { kind: 'alterTable', table: 't', action: { kind: 'addColumn', ifNotExists: false, column: { name: 'c', type: 'FLOAT', notNull: true, primaryKey: false } } }],
    ['alter table T add if not exists "C" text', { kind: 'alterTable', table: 't', action: { kind: 'addColumn', ifNotExists: true, column: { name: 'c', type: 'STRING', notNull: false } } }],
    ['ALTER TABLE t DROP COLUMN c', { kind: 'alterTable', table: 't', action: { kind: 'dropColumn', column: 'c', ifExists: false } }],
    ['ALTER TABLE t DROP IF EXISTS c;', { kind: 'alterTable', table: 't', action: { kind: 'dropColumn', column: 'c', ifExists: true } }],
    ['ALTER TABLE t RENAME TO u', { kind: 'alterTable', table: 't', action: { kind: 'renameTable', to: 'u' } }],
    ['ALTER TABLE t RENAME COLUMN a TO b', { kind: 'alterTable', table: 't', action: { kind: 'renameColumn', from: 'a', to: 'b' } }],
    ['ALTER TABLE t RENAME a TO b', { kind: 'alterTable', table: 't', action: { kind: 'renameColumn', from: 'a', to: 'b' } }],
    ['BEGIN', { kind: 'begin' }], ['BEGIN TRANSACTION;', { kind: 'begin' }], ['commit', { kind: 'commit' }], ['ROLLBACK', { kind: 'rollback' }],
    ["INSERT INTO t VALUES (1, -2.5, 'it''s', NULL, TRUE)", { kind: 'insert', table: 't', columns: null, rows: {
      kind: 'literalRows', width: 5, values: [1, -2.5, "it's", null, true], types: ['INT', 'FLOAT', 'STRING', null, 'BOOLEAN'] } }],
    ['INSERT INTO t (a) VALUES (1 + 2)', { kind: 'insert', table: 't', columns: ['a'], rows: [[
      { kind: 'binary', op: '+', left: { kind: 'literal', value: 1, type: 'INT' }, right: { kind: 'literal', value: 2, type: 'INT' } }]] }],
    ['DELETE FROM t WHERE a IS NOT NULL', { kind: 'delete', table: 't', where: { kind: 'isNull', operand: { kind: 'column', table: null, name: 'a' }, negated: true } }],
    ['UPDATE t SET a = -a', { kind: 'update', table: 't', where: null, assignments: [{ column: 'a', value: { kind: 'unary', op: '-', operand: { kind: 'column', table: null, name: 'a' } } }] }],
    ['SELECT a <> 1, b != 2 FROM t', { kind: 'select', items: [
      { kind: 'expr', name: 'a != 1', expr: { kind: 'binary', op: '!=', left: { kind: 'column', table: null, name: 'a' }, right: { kind: 'literal', value: 1, type: 'INT' } } },
      { kind: 'expr', name: 'b != 2', expr: { kind: 'binary', op: '!=', left: { kind: 'column', table: null, name: 'b' }, right: { kind: 'literal', value: 2, type: 'INT' } } }] }],
    ["SELECT time_bucket('5m', ts) AS b, AVG_1H(temp) FROM t GROUP BY 1", { groupBy: [{ kind: 'literal', value: 1, type: 'INT' }], items: [
      { kind: 'expr', name: 'b', expr: { kind: 'call', name: 'time_bucket', args: [{ kind: 'literal', value: '5m', type: 'STRING' }, { kind: 'column', table: null, name: 'ts' }] } },
      { kind: 'expr', name: 'avg_1h(temp)', expr: { kind: 'aggregate', name: 'avg_1h', arg: { kind: 'column', table: null, name: 'temp' }, distinct: false } }] }],
    ['SELECT * FROM a JOIN b USING (id) ORDER BY x DESC LIMIT 3 OFFSET 1', { from: { table: 'a', alias: null }, joins: [{ table: { table: 'b', alias: null }, using: ['id'], on: null }],
      orderBy: [{ expr: { kind: 'column', table: null, name: 'x' }, descending: true }], limit: { kind: 'literal', value: 3, type: 'INT' }, offset: { kind: 'literal', value: 1, type: 'INT' } }],
    ['SELECT DISTINCT count(*) FROM t', { distinct: true, items: [{ kind: 'expr', name: 'count(*)', expr: { kind: 'aggregate', name: 'count', arg: null, distinct: false } }] }],
  ])('%s', (sql, expected) => {
    expect(parseStatement(sql)).toMatchObject(expected);
  });
});

describe('classify', () => {
  it.each([
    ['SELECT 1', 'read'], ['INSERT INTO t VALUES (1)', 'write'], ['UPDATE t SET a = 1', 'write'], ['DELETE FROM t', 'write'],
    ['CREATE TABLE t (a INT)', 'write'], ['DROP INDEX i', 'write'], ['ALTER TABLE t RENAME TO u', 'write'], ['BEGIN', 'begin'], ['COMMIT', 'commit'], ['ROLLBACK;', 'rollback'],
  ] as const)('%s is %s', (sql, kind) => expect(classify(sql)).toBe(kind));

  it('throws PARSE_ERROR for bad SQL', () => {
    expect(() => classify('SELECT FROM WHERE')).toThrow(/^Parse error: /);
    try { classify('INSERT INTO'); } catch (e) { expect(isChronosError(e, 'PARSE_ERROR')).toBe(true); }
  });
});

describe('lexer', () => {
  it('tokenizes literals, quoted names, comments and operators', () => {
    expect(tokenize(`a.b <= 'x''y' -- c\n "Q" 1.5e3 <> 7d`).map((t) => [t.kind, t.value])).toEqual([
      ['word', 'A'], ['symbol', '.'], ['word', 'B'], ['symbol', '<='], ['string', "x'y"], ['quoted', 'Q'],
      ['number', '1.5e3'], ['symbol', '<>'], ['duration', '7d']]);
  });
});

/** Random statements of the shapes the fast paths handle. */
function randomStatement(rng: Random): string {
  const lit = (): string => rng.pick([
    () => String(rng.between(-1000, 1000)), () => `${rng.between(-99, 99)}.${rng.between(0, 99)}`,
    () => `'s${rng.int(100)}''q'`, () => 'NULL', () => 'TRUE', () => 'FALSE', () => '9223372036854775807',
    () => '-9223372036854775808', () => '1e3', () => "''"])();
  const col = (): string => rng.pick(['a', 'b', 'c', 'T.a']);
  const cmp = (): string => `${col()} ${rng.pick(['=', '!=', '<>', '<', '<=', '>', '>='])} ${lit()}`;
  const where = (): string => rng.pick([cmp, () => `${cmp()} AND ${cmp()}`, () => `(${cmp()} OR NOT ${cmp()})`,
    () => `${col()} IN (${lit()}, ${lit()})`, () => `${col()} BETWEEN ${lit()} AND ${lit()}`,
    () => `${col()} IS NOT NULL`, () => `${col()} LIKE 'x%'`, () => `${col()} + ${lit()} * 2 > -${rng.int(9)}`])();
  switch (rng.int(4)) {
    case 0: {
      const rows = Array.from({ length: rng.between(1, 5) }, () => `(${lit()}, ${lit()}, -${rng.int(50)})`);
      return `INSERT INTO t ${rng.chance(0.5) ? '(a, b, c) ' : ''}VALUES ${rows.join(', ')}`;
    }
    case 1:
      return `SELECT a, count(*), time_bucket('${rng.between(1, 9)}m', b) FROM t WHERE ${where()} GROUP BY 1, 3 ORDER BY 2 DESC LIMIT ${rng.int(50)}`;
    case 2:
      return `UPDATE t SET a = ${lit()}, b = b + ${lit()} WHERE ${where()}`;
    default:
      return `DELETE FROM t WHERE ${where()}`;
  }
}

/** The statement with flat literal VALUES written as Expr lists, as the general parser gives them. */
function withExprRows(statement: Statement): Statement {
  return statement.kind === 'insert' ? { ...statement, rows: valuesExprs(statement.rows) } : statement;
}

describe('the INSERT fast path equals the general parser (property)', () => {
  it('for 600 random statements', () => {
    const rng = new Random(20_261_123);
    for (let i = 0; i < 600; i++) {
      const sql = randomStatement(rng);
      const slow = (() => { try { return parseWithoutFastPath(sql); } catch (e) { return String(e); } })();
      const fast = (() => { try { return withExprRows(parseStatement(sql)); } catch (e) { return String(e); } })();
      expect(fast, sql).toEqual(slow);
      expect(typeof fast === 'string' ? fast : 'ok', sql).toBe('ok');
    }
  });
});

describe('WriteCommand codec', () => {
  it('round-trips', () => {
    const cmd = { statements: ["INSERT INTO t VALUES ('é 😀', 1)", '', 'DELETE FROM t'], nowMs: 1_700_000_000_123 };
    expect(decodeWriteCommand(encodeWriteCommand(cmd))).toEqual(cmd);
    expect(decodeWriteCommand(encodeWriteCommand({ statements: [], nowMs: 0 }))).toEqual({ statements: [], nowMs: 0 });
  });

  it('refuses truncated, padded and flipped bytes with CORRUPTION', () => {
    const bytes = encodeWriteCommand({ statements: ['SELECT 1', 'abc'], nowMs: 5 });
    const bad = [bytes.subarray(0, bytes.length - 1), new Uint8Array([...bytes, 0]), bytes.subarray(0, 5),
      Uint8Array.from(bytes, (b, i) => (i === 0 ? 9 : b)), Uint8Array.from(bytes, (b, i) => (i === 12 ? 200 : b))];
    for (const b of bad) expect(() => decodeWriteCommand(b)).toThrow(/^Corrupt write command/);
  });
});
