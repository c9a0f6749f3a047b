import type { Assignment, Expr, Statement } from './ast.js';
import { unsupported } from './cursor.js';
import type { ExprParser } from './expr-parser.js';
import { parseQuery } from './select-parser.js';
import { parseWithQuery } from './with-parser.js';

/** `INSERT INTO t [(cols)] VALUES (...), ...` with any expressions as values. */
export function parseInsert(p: ExprParser): InsertStatement {
  const c = p.c;
  c.expectWord('INSERT');
  if (c.isWord('OR')) throw unsupported(`INSERT OR ${c.peek(1)?.value ?? ''} (use INSERT ... ON CONFLICT)`);
  c.expectWord('INTO');
  const table = tableName(p);
  const columns = c.isSymbol('(') ? columnList(p) : null;
  if (c.isSymbol('(')) throw unsupported('parenthesized SELECT');
  if (c.isWord('SELECT') || c.isWord('WITH')) {
    const query = c.isWord('WITH') ? parseWithQuery(p) : parseQuery(p);
    return withOnConflict(p, { kind: 'insert', table, columns, rows: [], query });
  }
  if (c.isWord('DEFAULT')) throw unsupported('INSERT ... DEFAULT VALUES');
  c.expectWord('VALUES');
  const rows: Expr[][] = [];
  do {
    c.expectSymbol('(');
    rows.push(p.nested(() => p.list()));
    c.expectSymbol(')');
  } while (c.acceptSymbol(','));
  return withOnConflict(p, { kind: 'insert', table, columns, rows });
}

type InsertStatement = Extract<Statement, { kind: 'insert' }>;

/** The INSERT with its `ON CONFLICT ...` clause, if one follows; then the statement ends. */
function withOnConflict(p: ExprParser, insert: InsertStatement): InsertStatement {
  const c = p.c;
  let statement = insert;
  if (c.acceptWord('ON')) {
    if (c.isWord('DUPLICATE')) throw unsupported('ON DUPLICATE KEY UPDATE (use ON CONFLICT (key) DO UPDATE)');
    c.expectWord('CONFLICT');
    if (c.isWord('ON')) throw unsupported('ON CONFLICT ON CONSTRAINT');
    const target = c.isSymbol('(') ? columnList(p) : null;
    if (c.isWord('WHERE')) throw unsupported('ON CONFLICT (...) WHERE (a partial index target)');
    c.expectWord('DO');
    if (c.acceptWord('NOTHING')) {
      statement = { ...insert, onConflict: { target, action: 'nothing', assignments: [], where: null } };
    } else {
      c.expectWord('UPDATE');
      if (target === null) throw c.fail('ON CONFLICT DO UPDATE needs a conflict target, e.g. ON CONFLICT (id)');
      c.expectWord('SET');
      const assignments = setList(p);
      const where = c.acceptWord('WHERE') ? p.expr() : null;
      statement = { ...insert, onConflict: { target, action: 'update', assignments, where } };
    }
  }
  refuseReturning(p);
  return statement;
}

function columnList(p: ExprParser): string[] {
  const c = p.c;
  c.expectSymbol('(');
  const columns = [c.identifier('a column name')];
  while (c.acceptSymbol(',')) columns.push(c.identifier('a column name'));
  c.expectSymbol(')');
  return columns;
}

/** `col = expr, ...` of UPDATE and ON CONFLICT DO UPDATE. */
function setList(p: ExprParser): Assignment[] {
  const c = p.c;
  const assignments: Assignment[] = [];
  do {
    if (c.isSymbol('(')) throw unsupported('SET (columns) = (...)');
    const column = c.identifier('a column name');
    c.expectSymbol('=');
    assignments.push({ column, value: p.expr() });
  } while (c.acceptSymbol(','));
  return assignments;
}

/** `UPDATE t SET col = expr, ... [WHERE ...]`. */
export function parseUpdate(p: ExprParser): Extract<Statement, { kind: 'update' }> {
  const c = p.c;
  c.expectWord('UPDATE');
  const table = tableName(p);
  c.expectWord('SET');
  const assignments = setList(p);
  if (c.isWord('FROM')) throw unsupported('UPDATE ... FROM');
  const where = c.acceptWord('WHERE') ? p.expr() : null;
  refuseReturning(p);
  return { kind: 'update', table, assignments, where };
}

/** `DELETE FROM t [WHERE ...]`. */
export function parseDelete(p: ExprParser): Extract<Statement, { kind: 'delete' }> {
  const c = p.c;
  c.expectWord('DELETE');
  c.expectWord('FROM');
  const table = tableName(p);
  if (c.isWord('USING')) throw unsupported('DELETE ... USING');
  const where = c.acceptWord('WHERE') ? p.expr() : null;
  refuseReturning(p);
  return { kind: 'delete', table, where };
}

function tableName(p: ExprParser): string {
  const table = p.c.identifier('a table name');
  if (p.c.isSymbol('.')) throw unsupported('schema-qualified table names');
  return table;
}

function refuseReturning(p: ExprParser): void {
  if (p.c.isWord('RETURNING')) throw unsupported('RETURNING');
}
