import { ChronosError } from '../lib/index.js';
import type { ColumnDefinition, Statement } from './ast.js';
import { parseAlterTable } from './alter-parser.js';
import { Cursor, unsupported } from './cursor.js';
import { columnDefinition } from './column-definition.js';
import { tableOptions } from './table-options.js';
import { scanLiteralRows } from './values-scanner.js';

/** Transaction control and DDL; null (nothing consumed) for any other statement. */
export function parseByTokens(c: Cursor): Statement | null {
  const first = c.peek();
  if (first === undefined || first.kind !== 'word') return null;
  switch (first.value) {
    case 'BEGIN':
    case 'START': {
      c.next();
      if (first.value === 'START') c.expectWord('TRANSACTION');
      else if (!c.acceptWord('TRANSACTION')) c.acceptWord('WORK');
      c.expectEnd();
      return { kind: 'begin' };
    }
    case 'COMMIT':
    case 'END':
    case 'ROLLBACK': {
      c.next();
      if (!c.acceptWord('TRANSACTION')) c.acceptWord('WORK');
      c.expectEnd();
      return first.value === 'ROLLBACK' ? { kind: 'rollback' } : { kind: 'commit' };
    }
    case 'CREATE':
      return c.isWord('TABLE', 1) ? createTable(c) : createIndex(c);
    case 'DROP':
      return drop(c);
    case 'ALTER':
      return parseAlterTable(c);
    case 'SHOW':
      return parseShow(c);
    case 'DESCRIBE':
    case 'DESC': {
      c.next();
      c.acceptWord('TABLE');
      const table = c.identifier('a table name');
      c.expectEnd();
      return { kind: 'describe', table };
    }
    default:
      return null;
  }
}

/** `SHOW TABLES`; other SHOW forms are refused by name. */
function parseShow(c: Cursor): Statement {
  c.expectWord('SHOW');
  const what = c.peek();
  if (what?.kind === 'word' && what.value !== 'TABLES') throw unsupported(`SHOW ${what.value}`);
  c.expectWord('TABLES');
  c.expectEnd();
  return { kind: 'showTables' };
}

function createTable(c: Cursor): Statement {
  c.expectWord('CREATE');
  c.expectWord('TABLE');
  const ifNotExists = c.acceptWord('IF') && (c.expectWord('NOT'), c.expectWord('EXISTS'), true);
  const table = c.identifier('a table name');
  c.expectSymbol('(');
  const columns: ColumnDefinition[] = [];
  let primaryKey: string[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    if (c.isWord('PRIMARY')) {
      c.next();
      c.expectWord('KEY');
      if (primaryKey.length > 0) throw c.fail('a second PRIMARY KEY');
      primaryKey = identifierList(c, 'a column name');
    } else {
      const col = columnDefinition(c);
      if (col.primaryKey) {
        if (primaryKey.length > 0) throw c.fail('a second PRIMARY KEY');
        primaryKey = [col.name];
      }
      columns.push(col);
    }
    if (c.acceptSymbol(')')) break;
    c.expectSymbol(',');
  }
  const { ttlMs, layout } = tableOptions(c);
  c.expectEnd();
  const names = new Set<string>();
  for (const col of columns) {
    if (names.has(col.name)) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `Column ${col.name} is declared twice in table ${table}`,
      );
    }
    names.add(col.name);
  }
  for (const key of primaryKey) {
    if (!names.has(key)) {
      throw new ChronosError(
        'UNKNOWN_COLUMN',
        `PRIMARY KEY column ${key} is not a column of table ${table}`,
      );
    }
  }
  const withKeys = columns.map((col) =>
    primaryKey.includes(col.name) ? { ...col, notNull: true, primaryKey: true } : col,
  );
  return { kind: 'createTable', table, ifNotExists, columns: withKeys, primaryKey, ttlMs, layout };
}

function createIndex(c: Cursor): Statement {
  c.expectWord('CREATE');
  if (c.isWord('UNIQUE')) throw new ChronosError('UNSUPPORTED', 'Unsupported: UNIQUE indexes');
  c.expectWord('INDEX');
  const ifNotExists = c.acceptWord('IF') && (c.expectWord('NOT'), c.expectWord('EXISTS'), true);
  const name = c.identifier('an index name');
  c.expectWord('ON');
  const table = c.identifier('a table name');
  const columns = identifierList(c, 'a column name');
  c.expectEnd();
  return { kind: 'createIndex', name, table, columns, ifNotExists };
}

function drop(c: Cursor): Statement {
  c.expectWord('DROP');
  const isTable = c.acceptWord('TABLE');
  if (!isTable) c.expectWord('INDEX');
  const ifExists = c.acceptWord('IF') && (c.expectWord('EXISTS'), true);
  const name = c.identifier(isTable ? 'a table name' : 'an index name');
  c.expectEnd();
  return isTable ? {
    kind: 'dropTable',
    table: name,
    ifExists,
  } : { kind: 'dropIndex', name, ifExists };
}

function identifierList(c: Cursor, what: string): string[] {
  c.expectSymbol('(');
  const names: string[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    names.push(c.identifier(what));
    if (c.acceptSymbol(')')) return names;
    c.expectSymbol(',');
  }
  throw c.fail('too many names');
}

/**
 * `INSERT INTO t [(cols)] VALUES (literal, ...), ...` read straight from tokens (the hot path).
 * Null when the statement uses anything beyond plain literals: the general parser takes it then.
 */
export function parseFastInsert(c: Cursor): Statement | null {
  const steps = fastInsertSteps(c);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * parseFastInsert in steps: the generator pauses every ROWS_PER_STEP rows, so a caller that must
 * keep its event loop turning (a 100,000-row INSERT parses for about half a second) can yield
 * between steps. Returns what parseFastInsert returns.
 */
export function* fastInsertSteps(c: Cursor): Generator<void, Statement | null> {
  if (!c.acceptWord('INSERT') || !c.acceptWord('INTO')) return null;
  const nameToken = c.peek();
  if (nameToken === undefined) return null;
  if (nameToken.kind !== 'word' && nameToken.kind !== 'quoted') return null;
  const table = c.identifier('a table name');
  let columns: string[] | null = null;
  if (c.isSymbol('(')) {
    columns = [];
    c.next();
    for (let guard = 0; guard < 10_000; guard++) {
      const t = c.peek();
      if (t === undefined || (t.kind !== 'word' && t.kind !== 'quoted')) return null;
      columns.push(c.identifier('a column name'));
      if (c.acceptSymbol(')')) break;
      if (!c.acceptSymbol(',')) return null;
    }
  }
  const values = c.peek();
  if (values === undefined || values.kind !== 'word' || values.value !== 'VALUES') return null;
  c.next();
  const rows = yield* scanLiteralRows(c.sql, values.end);
  return rows === null ? null : { kind: 'insert', table, columns, rows };
}
