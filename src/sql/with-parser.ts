import type { CompoundStatement, Expr, QueryTerm, SelectStatement, Statement, TableRef } from './ast.js';
import { mapOperands, mapStatementExprs } from './expr-map.js';
import { unsupported } from './cursor.js';
import type { ExprParser } from './expr-parser.js';
import { recursiveQuery } from './recursive-parser.js';
import { parseQuery } from './select-parser.js';
import { parseDelete, parseInsert, parseUpdate } from './write-parser.js';

type Query = SelectStatement | CompoundStatement;

/** What a name defined by WITH stands for wherever FROM or JOIN names it. */
type Definition = Pick<TableRef, 'query' | 'recursive' | 'columnNames'>;

type Write = Extract<Statement, { kind: 'insert' | 'update' | 'delete' }>;

/**
 * `WITH [RECURSIVE] name [(columns)] AS (query) [, ...] query | INSERT | UPDATE | DELETE ...`:
 * each common table expression becomes a derived table wherever FROM or JOIN names it (in the
 * main statement, its expression subqueries at any depth, and later CTEs), so it is answered
 * like `(query) AS name`; under RECURSIVE one that names itself is a RecursiveQuery.
 */
export function parseWith(p: ExprParser): Query | Write {
  const c = p.c;
  c.expectWord('WITH');
  const recursive = c.acceptWord('RECURSIVE');
  const ctes = new Map<string, Definition>();
  do {
    const name = c.identifier('a name for the WITH query');
    const columnNames = c.nameList('a column name');
    c.expectWord('AS');
    if (c.isWord('MATERIALIZED') || c.isWord('NOT')) throw unsupported('WITH ... AS [NOT] MATERIALIZED');
    c.expectSymbol('(');
    const query = substitute(parseQuery(p), ctes);
    c.expectSymbol(')');
    if (ctes.has(name)) throw c.fail(`WITH query name ${name} specified more than once`);
    const self = recursive ? recursiveQuery(name, query) : null;
    const named = columnNames === undefined ? {} : { columnNames };
    ctes.set(name, self === null ? { query, ...named } : { recursive: self, ...named });
  } while (c.acceptSymbol(','));
  if (c.isWord('INSERT')) {
    const insert = substituteInExpressions(parseInsert(p), ctes);
    return insert.query === undefined ? insert : { ...insert, query: substitute(insert.query, ctes) };
  }
  if (c.isWord('UPDATE')) return substituteInExpressions(parseUpdate(p), ctes);
  if (c.isWord('DELETE')) return substituteInExpressions(parseDelete(p), ctes);
  if (!c.isWord('SELECT')) throw unsupported('WITH before a statement other than SELECT, INSERT, UPDATE or DELETE');
  return substitute(parseQuery(p), ctes);
}

/** `WITH ... SELECT ...` where only a query may stand (a subquery in FROM, INSERT ... WITH). */
export function parseWithQuery(p: ExprParser): Query {
  const query = parseWith(p);
  if (query.kind !== 'select' && query.kind !== 'compound') throw unsupported(`WITH ... ${query.kind.toUpperCase()} inside another statement`);
  return query;
}

function substituteRef(ref: TableRef, ctes: ReadonlyMap<string, Definition>): TableRef {
  if (ref.query !== undefined) return { ...ref, query: substitute(ref.query, ctes) };
  if (ref.recursive !== undefined) {
    // A WITH RECURSIVE inside a subquery sees the WITH queries around it (its own name shadows them).
    const outer = new Map([...ctes].filter(([name]) => name !== ref.recursive?.name));
    const { anchor, step } = ref.recursive;
    return { ...ref, recursive: { ...ref.recursive, anchor: substitute(anchor, outer), step: substituteSelect(step, outer) } };
  }
  if (ref.series !== undefined) return ref;
  const cte = ctes.get(ref.table);
  return cte === undefined ? ref : { table: ref.alias ?? ref.table, alias: null, ...cte };
}

/** The statement with its expression subqueries' references to a CTE replaced, at any depth. */
function substituteInExpressions<S extends Statement>(s: S, ctes: ReadonlyMap<string, Definition>): S {
  const inner = (e: Expr): Expr => {
    const mapped = mapOperands(e, inner);
    return mapped.kind === 'subquery' ? { ...mapped, query: substituteSelect(mapped.query, ctes) } : mapped;
  };
  return mapStatementExprs(s, inner) as S;
}

function substituteSelect(s: SelectStatement, ctes: ReadonlyMap<string, Definition>): SelectStatement {
  return substituteInExpressions({
    ...s,
    from: s.from === null ? null : substituteRef(s.from, ctes),
    joins: s.joins.map((join) => ({ ...join, table: substituteRef(join.table, ctes) })),
  }, ctes);
}

type SetOperation = CompoundStatement['body'];

function substituteSetOperation(op: SetOperation, ctes: ReadonlyMap<string, Definition>): SetOperation {
  return { ...op, left: substituteTerm(op.left, ctes), right: substituteTerm(op.right, ctes) };
}

function substituteTerm(term: QueryTerm, ctes: ReadonlyMap<string, Definition>): QueryTerm {
  return term.kind === 'select' ? substituteSelect(term, ctes) : substituteSetOperation(term, ctes);
}

/** The query with every FROM/JOIN reference to a CTE replaced by its derived table. */
function substitute(query: Query, ctes: ReadonlyMap<string, Definition>): Query {
  if (ctes.size === 0) return query;
  if (query.kind === 'select') return substituteSelect(query, ctes);
  return { ...query, body: substituteSetOperation(query.body, ctes) };
}
