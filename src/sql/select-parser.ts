import type { Expr, Join, OrderItem, SelectItem, SelectStatement, TableRef } from './ast.js';
import { unsupported, type Cursor } from './cursor.js';
import { ExprParser } from './expr-parser.js';
import { printExpr } from './print.js';
import { isReserved } from './reserved-words.js';

/** `SELECT ...` up to the end of the statement. */
export function parseSelect(p: ExprParser): SelectStatement {
  const c = p.c;
  c.expectWord('SELECT');
  const distinct = c.acceptWord('DISTINCT');
  if (!distinct) c.acceptWord('ALL');
  if (c.isWord('ON')) throw unsupported('DISTINCT ON');
  const items = selectItems(p);
  if (c.isWord('INTO')) throw unsupported('SELECT INTO');
  let from: TableRef | null = null;
  let joins: Join[] = [];
  if (c.acceptWord('FROM')) {
    from = tableRef(c);
    joins = joinList(p);
  }
  const where = c.acceptWord('WHERE') ? p.expr() : null;
  const groupBy = c.acceptWord('GROUP') ? (c.expectWord('BY'), p.list()) : [];
  const having = c.acceptWord('HAVING') ? p.expr() : null;
  if (c.isWord('WINDOW')) throw unsupported('WINDOW');
  refuseSetOperation(c);
  const orderBy = c.acceptWord('ORDER') ? (c.expectWord('BY'), orderItems(p)) : [];
  const { limit, offset } = limitOffset(p);
  if (c.isWord('FOR')) throw unsupported('FOR UPDATE/SHARE');
  refuseSetOperation(c);
  return { kind: 'select', distinct, items, from, joins, where, groupBy, having, orderBy, limit, offset };
}

function refuseSetOperation(c: Cursor): void {
  if (c.isWord('UNION') || c.isWord('INTERSECT') || c.isWord('EXCEPT')) {
    throw unsupported('UNION/INTERSECT/EXCEPT');
  }
}

function selectItems(p: ExprParser): SelectItem[] {
  const items: SelectItem[] = [selectItem(p)];
  while (p.c.acceptSymbol(',')) items.push(selectItem(p));
  return items;
}

function selectItem(p: ExprParser): SelectItem {
  const c = p.c;
  if (c.acceptSymbol('*')) return { kind: 'star', table: null };
  const first = c.peek();
  if (first !== undefined && (first.kind === 'word' || first.kind === 'quoted')
    && c.isSymbol('.', 1) && c.isSymbol('*', 2)) {
    const table = c.identifier('a table name');
    c.next();
    c.next();
    return { kind: 'star', table };
  }
  const expr = p.expr();
  return { kind: 'expr', expr, name: alias(c) ?? printExpr(expr) };
}

/** `[AS] name` after a select item or a table; null when there is none. */
function alias(c: Cursor): string | null {
  if (c.acceptWord('AS')) return c.identifier('an alias');
  const t = c.peek();
  if (t === undefined) return null;
  if (t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.value))) {
    return c.identifier('an alias');
  }
  return null;
}

function tableRef(c: Cursor): TableRef {
  if (c.isSymbol('(')) throw unsupported('subqueries in FROM');
  if (c.isWord('LATERAL')) throw unsupported('LATERAL');
  const table = c.identifier('a table name');
  if (c.isSymbol('.')) throw unsupported('schema-qualified table names');
  if (c.isSymbol('(')) throw unsupported('table functions');
  return { table, alias: alias(c) };
}

function joinList(p: ExprParser): Join[] {
  const c = p.c;
  const joins: Join[] = [];
  for (;;) {
    if (c.acceptSymbol(',')) {
      joins.push({ table: tableRef(c), using: null, on: null });
      continue;
    }
    if (c.acceptWord('CROSS')) {
      c.expectWord('JOIN');
      joins.push({ table: tableRef(c), using: null, on: null });
      continue;
    }
    for (const outer of ['LEFT', 'RIGHT', 'FULL', 'NATURAL']) {
      if (c.isWord(outer)) throw unsupported(`${outer} JOIN (only inner joins are supported)`);
    }
    if (!c.isWord('JOIN') && !c.isWord('INNER')) return joins;
    if (c.acceptWord('INNER')) c.expectWord('JOIN');
    else c.expectWord('JOIN');
    joins.push(joinCondition(p, tableRef(c)));
  }
}

function joinCondition(p: ExprParser, table: TableRef): Join {
  const c = p.c;
  if (c.acceptWord('ON')) return { table, using: null, on: p.expr() };
  if (!c.acceptWord('USING')) return { table, using: null, on: null };
  c.expectSymbol('(');
  const using = [c.identifier('a column name')];
  while (c.acceptSymbol(',')) using.push(c.identifier('a column name'));
  c.expectSymbol(')');
  return { table, using, on: null };
}

function orderItems(p: ExprParser): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    const expr = p.expr();
    const c = p.c;
    const descending = c.acceptWord('DESC');
    if (!descending) c.acceptWord('ASC');
    if (c.isWord('USING')) throw unsupported('ORDER BY ... USING');
    let nullsFirst = descending;
    if (c.acceptWord('NULLS')) {
      if (c.acceptWord('FIRST')) nullsFirst = true;
      else if (c.acceptWord('LAST')) nullsFirst = false;
      else throw c.fail('expected FIRST or LAST after NULLS');
    }
    items.push({ expr, descending, nullsFirst });
  } while (p.c.acceptSymbol(','));
  return items;
}

/** `LIMIT n [OFFSET m]`, `OFFSET m [LIMIT n]`, `LIMIT m, n` (MySQL/sqlite form). */
function limitOffset(p: ExprParser): { limit: Expr | null; offset: Expr | null } {
  const c = p.c;
  let limit: Expr | null = null;
  let offset: Expr | null = null;
  for (let clause = 0; clause < 2; clause++) {
    if (limit === null && c.acceptWord('LIMIT')) {
      if (c.acceptWord('ALL')) continue;
      limit = p.expr();
      if (offset === null && c.acceptSymbol(',')) {
        offset = limit;
        limit = p.expr();
      }
    } else if (offset === null && c.acceptWord('OFFSET')) {
      offset = p.expr();
      if (!c.acceptWord('ROWS')) c.acceptWord('ROW');
    } else if (c.isWord('FETCH')) {
      throw unsupported('FETCH FIRST (use LIMIT)');
    }
  }
  return { limit, offset };
}
