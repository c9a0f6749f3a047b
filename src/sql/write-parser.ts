import type { Expr, Statement } from './ast.js';
import { unsupported } from './cursor.js';
import type { ExprParser } from './expr-parser.js';
import { parseQuery } from './select-parser.js';

/** `INSERT INTO t [(cols)] VALUES (...), ...` with any expressions as values. */
export function parseInsert(p: ExprParser): Statement {
  const c = p.c;
  c.expectWord('INSERT');
  c.expectWord('INTO');
  const table = tableName(p);
  let columns: string[] | null = null;
  if (c.acceptSymbol('(')) {
    columns = [c.identifier('a column name')];
    while (c.acceptSymbol(',')) columns.push(c.identifier('a column name'));
    c.expectSymbol(')');
  }
  if (c.isWord('WITH')) throw unsupported('WITH in INSERT ... SELECT');
  if (c.isSymbol('(')) throw unsupported('parenthesized SELECT');
  if (c.isWord('SELECT')) {
    const query = parseQuery(p);
    if (c.isWord('ON')) throw unsupported('INSERT ... ON CONFLICT');
    refuseReturning(p);
    return { kind: 'insert', table, columns, rows: [], query };
  }
  if (c.isWord('DEFAULT')) throw unsupported('INSERT ... DEFAULT VALUES');
  c.expectWord('VALUES');
  const rows: Expr[][] = [];
  do {
    c.expectSymbol('(');
    rows.push(p.nested(() => p.list()));
    c.expectSymbol(')');
  } while (c.acceptSymbol(','));
  if (c.isWord('ON')) throw unsupported('INSERT ... ON CONFLICT');
  refuseReturning(p);
  return { kind: 'insert', table, columns, rows };
}

/** `UPDATE t SET col = expr, ... [WHERE ...]`. */
export function parseUpdate(p: ExprParser): Statement {
  const c = p.c;
  c.expectWord('UPDATE');
  const table = tableName(p);
  c.expectWord('SET');
  const assignments: { column: string; value: Expr }[] = [];
  do {
    if (c.isSymbol('(')) throw unsupported('UPDATE ... SET (columns) = (...)');
    const column = c.identifier('a column name');
    c.expectSymbol('=');
    assignments.push({ column, value: p.expr() });
  } while (c.acceptSymbol(','));
  if (c.isWord('FROM')) throw unsupported('UPDATE ... FROM');
  const where = c.acceptWord('WHERE') ? p.expr() : null;
  refuseReturning(p);
  return { kind: 'update', table, assignments, where };
}

/** `DELETE FROM t [WHERE ...]`. */
export function parseDelete(p: ExprParser): Statement {
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
