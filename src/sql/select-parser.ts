import type {
  CompoundStatement, Expr, Join, OrderItem, QueryTerm, SelectItem, SelectStatement, TableRef,
} from './ast.js';
import { unsupported, type Cursor } from './cursor.js';
import { ExprParser } from './expr-parser.js';
import { parseWithQuery } from './with-parser.js';
import { orderItems } from './order-items.js';
import { checkQueryList, checkSetOperands } from './parse-limits.js';
import { printExpr } from './print.js';
import { isReserved } from './reserved-words.js';

/** A SELECT (subqueries): a set operation is refused here. */
export function parseSelect(p: ExprParser): SelectStatement {
  const query = parseQuery(p);
  if (query.kind === 'compound') throw unsupported('UNION/INTERSECT/EXCEPT inside a subquery');
  return query;
}

/** `SELECT ...` or `SELECT ... UNION|INTERSECT|EXCEPT [ALL] SELECT ... [ORDER BY] [LIMIT]`. */
export function parseQuery(p: ExprParser): SelectStatement | CompoundStatement {
  const first = selectCore(p);
  if (!isSetOperation(p.c)) return { ...first, ...queryTail(p) };
  const operands = { count: 1 };
  let body = intersections(p, first, operands);
  for (;;) {
    const op = p.c.acceptWord('UNION') ? 'UNION' : p.c.acceptWord('EXCEPT') ? 'EXCEPT' : null;
    if (op === null) break;
    const all = setQuantifier(p.c);
    checkSetOperands(++operands.count);
    body = { kind: 'setOperation', op, all, left: body, right: intersections(p, selectCore(p), operands) };
  }
  if (body.kind !== 'setOperation') throw p.c.unexpected();
  return { kind: 'compound', body, ...queryTail(p) };
}

/** INTERSECT binds tighter than UNION and EXCEPT (PostgreSQL, the standard). */
function intersections(p: ExprParser, first: SelectStatement, operands: { count: number }): QueryTerm {
  let term: QueryTerm = first;
  while (p.c.acceptWord('INTERSECT')) {
    const all = setQuantifier(p.c);
    checkSetOperands(++operands.count);
    term = { kind: 'setOperation', op: 'INTERSECT', all, left: term, right: selectCore(p) };
  }
  return term;
}

function setQuantifier(c: Cursor): boolean {
  if (c.acceptWord('ALL')) return true;
  c.acceptWord('DISTINCT');
  return false;
}

function isSetOperation(c: Cursor): boolean {
  return c.isWord('UNION') || c.isWord('INTERSECT') || c.isWord('EXCEPT');
}

/** SELECT through HAVING: what a member of a set operation may hold. */
function selectCore(p: ExprParser): SelectStatement {
  const c = p.c;
  if (c.isSymbol('(')) throw unsupported('parenthesized SELECT');
  c.expectWord('SELECT');
  const distinct = c.acceptWord('DISTINCT');
  if (!distinct) c.acceptWord('ALL');
  const distinctOn = distinct && c.acceptWord('ON') ? (c.expectSymbol('('), p.list()) : null;
  if (distinctOn !== null) c.expectSymbol(')');
  const items = selectItems(p);
  if (c.isWord('INTO')) throw unsupported('SELECT INTO');
  let from: TableRef | null = null;
  let joins: Join[] = [];
  if (c.acceptWord('FROM')) {
    from = tableRef(p);
    joins = joinList(p);
  }
  const where = c.acceptWord('WHERE') ? p.expr() : null;
  const groupBy = c.acceptWord('GROUP') ? (c.expectWord('BY'), groupByList(p)) : [];
  const having = c.acceptWord('HAVING') ? p.expr() : null;
  if (c.isWord('WINDOW')) throw unsupported('WINDOW');
  const none = { orderBy: [], limit: null, offset: null };
  const on = distinctOn === null ? {} : { distinctOn };
  return { kind: 'select', distinct: distinct && distinctOn === null, ...on, items, from, joins, where, groupBy, having, ...none };
}

/** ORDER BY and LIMIT/OFFSET, which end a query. */
function queryTail(p: ExprParser): { orderBy: OrderItem[]; limit: Expr | null; offset: Expr | null } {
  const c = p.c;
  const orderBy = c.acceptWord('ORDER') ? (c.expectWord('BY'), orderItems(p)) : [];
  const { limit, offset } = limitOffset(p);
  if (c.isWord('FOR')) throw unsupported('FOR UPDATE/SHARE');
  if (isSetOperation(c)) throw unsupported('UNION/INTERSECT/EXCEPT after ORDER BY or LIMIT');
  return { orderBy, limit, offset };
}

function groupByList(p: ExprParser): Expr[] {
  const items = p.list();
  checkQueryList('GROUP BY', items.length);
  return items;
}

function selectItems(p: ExprParser): SelectItem[] {
  const items: SelectItem[] = [selectItem(p)];
  while (p.c.acceptSymbol(',')) items.push(selectItem(p));
  checkQueryList('SELECT list', items.length);
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

function tableRef(p: ExprParser): TableRef {
  const c = p.c;
  if (c.isWord('LATERAL') && c.isSymbol('(', 2)) throw unsupported('LATERAL before anything but a subquery (SELECT ...)');
  const lateral = c.isWord('LATERAL') && c.isSymbol('(', 1);
  if (lateral) c.next();
  if (c.acceptSymbol('(')) {
    const query = c.isWord('WITH') ? parseWithQuery(p) : parseQuery(p);
    c.expectSymbol(')');
    const name = alias(c);
    if (name === null) throw c.fail('a subquery in FROM needs a name: (SELECT ...) AS name');
    const columnNames = c.nameList('a column name');
    return {
      table: name, alias: null, query, ...(columnNames === undefined ? {} : { columnNames }), ...(lateral ? { lateral: true } : {}),
    };
  }
  const table = c.identifier('a table name');
  if (c.isSymbol('.')) throw unsupported('schema-qualified table names');
  if (c.isSymbol('(')) {
    if (table === 'generate_series') return seriesRef(p);
    throw unsupported(`table function ${table}() (generate_series is one)`);
  }
  return { table, alias: alias(c) };
}

/** `generate_series(start, stop [, step]) [[AS] name [(column)]]`, after its name. */
function seriesRef(p: ExprParser): TableRef {
  const c = p.c;
  c.expectSymbol('(');
  const args = c.isSymbol(')') ? [] : p.list();
  c.expectSymbol(')');
  const name = alias(c);
  let column = name ?? 'generate_series';
  if (name !== null && c.acceptSymbol('(')) {
    column = c.identifier('a column name');
    c.expectSymbol(')');
  }
  return { table: name ?? 'generate_series', alias: null, series: { args, column } };
}

function joinList(p: ExprParser): Join[] {
  const c = p.c;
  const joins: Join[] = [];
  let comma = false;
  for (;;) {
    if (c.acceptSymbol(',')) {
      joins.push({ table: tableRef(p), using: null, on: null });
      comma = true;
      continue;
    }
    if (c.acceptWord('CROSS')) {
      c.expectWord('JOIN');
      joins.push({ table: tableRef(p), using: null, on: null });
      continue;
    }
    const outer = c.acceptWord('LEFT') ? 'left' : c.acceptWord('RIGHT') ? 'right' : c.acceptWord('FULL') ? 'full' : null;
    if (outer !== null) {
      // A comma binds looser than JOIN: `a, b RIGHT JOIN c` is a times (b RIGHT JOIN c), which
      // the left-deep joins here would read as (a, b) RIGHT JOIN c. LEFT comes out the same.
      if (comma && outer !== 'left') throw unsupported(`${outer.toUpperCase()} JOIN after a comma in FROM (write CROSS JOIN for the comma)`);
      joins.push(outerJoin(p, outer));
      continue;
    }
    if (c.acceptWord('NATURAL')) {
      joins.push(naturalJoin(p));
      continue;
    }
    if (!c.isWord('JOIN') && !c.isWord('INNER')) return joins;
    if (c.acceptWord('INNER')) c.expectWord('JOIN');
    else c.expectWord('JOIN');
    joins.push(joinCondition(p, tableRef(p)));
  }
}

/** The rest of `NATURAL [INNER | LEFT [OUTER]] JOIN t`, after NATURAL: its USING comes from the tables. */
function naturalJoin(p: ExprParser): Join {
  const c = p.c;
  const outer = c.acceptWord('LEFT') ? 'left' : c.acceptWord('RIGHT') ? 'right' : c.acceptWord('FULL') ? 'full' : null;
  if (outer !== null) c.acceptWord('OUTER');
  else c.acceptWord('INNER');
  c.expectWord('JOIN');
  const table = tableRef(p);
  if (c.isWord('ON') || c.isWord('USING')) throw c.fail('a NATURAL JOIN takes no ON or USING');
  return { table, using: null, on: null, natural: true, ...(outer === null ? {} : { outer }) };
}

/** The rest of `LEFT|RIGHT|FULL [OUTER] JOIN t ON ... | USING (...)`, after its first word. */
function outerJoin(p: ExprParser, outer: 'left' | 'right' | 'full'): Join {
  const c = p.c;
  const words = outer.toUpperCase();
  c.acceptWord('OUTER');
  c.expectWord('JOIN');
  const join = joinCondition(p, tableRef(p));
  if (join.on === null && join.using === null) throw c.fail(`${words} JOIN needs ON or USING`);
  return { ...join, outer };
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
