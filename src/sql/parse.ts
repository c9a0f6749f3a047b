import { ChronosError } from '../lib/index.js';
import type { Statement } from './ast.js';
import { Cursor, unsupported } from './cursor.js';
import { checkExprDepth, MAX_EXPR_DEPTH } from './expr-depth.js';
import { ExprParser } from './expr-parser.js';
import type { Token } from './lexer.js';
import { checkStatementSize, MAX_STATEMENT_TOKENS } from './parse-limits.js';
import { parseQuery, parseSelect } from './select-parser.js';
import { parseByTokens, parseFastInsert } from './token-parser.js';
import { parseDelete, parseInsert, parseUpdate } from './write-parser.js';
import { parseWith } from './with-parser.js';

/** Statement words we recognise but do not run: refused by name rather than as a typo. */
const REFUSED_STATEMENTS: ReadonlySet<string> = new Set([
  'ANALYZE', 'CALL', 'COPY', 'GRANT', 'MERGE', 'REVOKE', 'TRUNCATE', 'VACUUM', 'REPLACE', 'UPSERT', 'SAVEPOINT', 'RELEASE', 'PREPARE',
  'EXECUTE', 'SET', 'LOCK',
]);

/** Parse one statement (a trailing `;` allowed) into our AST. Throws PARSE_ERROR/UNSUPPORTED. */
export function parseStatement(sql: string): Statement {
  checkStatementSize(sql);
  if (startsWithInsert(sql)) {
    const fast = parseFastInsert(new Cursor(sql));
    if (fast !== null) return fast;
  }
  return parseGeneral(sql);
}

/** The general parser and the checks of the tree it builds, for a statement the fast path declined. */
export function parseGeneral(sql: string): Statement {
  const statement = parseWithoutFastPath(sql);
  // A tree can't be deeper than the text is long: most statements skip the walk.
  if (sql.length > MAX_EXPR_DEPTH) {
    checkExprDepth(statement);
    if (statement.kind === 'insert' && statement.query !== undefined) checkExprDepth(statement.query);
    if (statement.kind === 'explain') checkExprDepth(statement.statement);
  }
  return statement;
}

/** The general parser alone, skipping the INSERT fast path: the reference it must equal. */
export function parseWithoutFastPath(sql: string): Statement {
  const c = new Cursor(sql, MAX_STATEMENT_TOKENS);
  if (c.done()) throw new ChronosError('PARSE_ERROR', 'Parse error: empty statement');
  return parseByTokens(c) ?? parseQueryOrWrite(c);
}

/** Whether the statement's first word is INSERT (the candidates of the fast path). */
export function startsWithInsert(sql: string): boolean {
  const start = sql.search(/\S/);
  return start >= 0 && sql.slice(start, start + 6).toUpperCase() === 'INSERT';
}

/** Statements that hold a subquery (most don't: they skip resolveSubqueries' walk). */
const WITH_SUBQUERIES = new WeakSet<Statement>();

/** True when the parsed statement holds a subquery somewhere. */
export function hasSubqueries(s: Statement): boolean {
  return WITH_SUBQUERIES.has(s);
}

/** `EXPLAIN statement`: the statement is parsed whole (and checked), never run. */
function parseExplain(c: Cursor): Statement {
  c.expectWord('EXPLAIN');
  for (const word of ['ANALYZE', 'VERBOSE', 'QUERY']) {
    if (c.isWord(word)) throw unsupported(`EXPLAIN ${word}`);
  }
  if (c.isSymbol('(')) throw unsupported('EXPLAIN options');
  const statement = parseByTokens(c) ?? parseQueryOrWrite(c);
  switch (statement.kind) {
    case 'select':
    case 'compound':
    case 'update':
    case 'delete':
      return { kind: 'explain', statement };
    default:
      throw unsupported(`EXPLAIN of ${statement.kind === 'insert' ? 'INSERT' : 'this statement'}`);
  }
}

function parseQueryOrWrite(c: Cursor): Statement {
  const p = new ExprParser(c, parseSelect);
  const first = c.peek() as Token;
  let statement: Statement;
  switch (first.kind === 'word' ? first.value : '') {
    case 'SELECT':
      statement = parseQuery(p);
      break;
    case 'INSERT':
      statement = parseInsert(p);
      break;
    case 'UPDATE':
      statement = parseUpdate(p);
      break;
    case 'DELETE':
      statement = parseDelete(p);
      break;
    case 'EXPLAIN':
      return parseExplain(c);
    case 'WITH':
      statement = parseWith(p);
      break;
    default:
      if (first.kind === 'symbol' && first.value === '(') throw unsupported('parenthesized SELECT');
      if (REFUSED_STATEMENTS.has(first.value)) throw unsupported(`${first.value} statements`);
      throw p.c.unexpected();
  }
  p.c.expectEnd();
  if (p.sawSubquery) WITH_SUBQUERIES.add(statement);
  return statement;
}
