import { ChronosError } from '../lib/index.js';
import { aggregateCall, AGGREGATES, callOrderBy, isOrderedSet, withinGroup } from './aggregate-call.js';
import type { AggregateName, CaseWhen, Expr } from './ast.js';
import { unsupported } from './cursor.js';
import { BP_RANGE } from './expr-parser.js';
import type { ExprParser } from './expr-parser.js';
import { numberLiteral, stringLiteral } from './literals.js';
import { isReserved } from './reserved-words.js';
import { parseTypeName } from './type-name.js';
import { isWindowOnly, parseWindowCall } from './window-parser.js';

/** Words that start a construct we recognise but do not run: refused by name. */
const REFUSED_PRIMARIES: Readonly<Record<string, string>> = {
  ARRAY: 'arrays',
  INTERVAL: 'INTERVAL literals',
  ROW: 'row values',
};

/** An operand: literal, column, function call, parenthesized expression. */
export function parsePrimary(p: ExprParser): Expr {
  const c = p.c;
  const t = c.peek();
  if (t === undefined) throw c.unexpected();
  switch (t.kind) {
    case 'number':
      c.next();
      return numberLiteral(t.value);
    case 'string':
      c.next();
      return stringLiteral(t.value);
    case 'quoted':
      return columnOrCall(p);
    case 'word':
      return wordPrimary(p, t.value);
    case 'symbol':
      if (t.value === '(') return parenthesized(p);
      throw c.unexpected();
    default:
      throw c.unexpected();
  }
}

function wordPrimary(p: ExprParser, word: string): Expr {
  const c = p.c;
  switch (word) {
    case 'NULL':
      c.next();
      return { kind: 'literal', value: null, type: null };
    case 'TRUE':
    case 'FALSE':
      c.next();
      return { kind: 'literal', value: word === 'TRUE', type: 'BOOLEAN' };
    case 'EXISTS':
      c.next();
      c.expectSymbol('(');
      if (!c.isWord('SELECT')) throw c.fail('expected SELECT');
      return p.subquery('exists');
    case 'CASE':
      return p.nested(() => parseCase(p));
    case 'CAST': {
      c.next();
      c.expectSymbol('(');
      const operand = p.nested(() => p.expr());
      c.expectWord('AS');
      const type = parseTypeName(c);
      c.expectSymbol(')');
      return { kind: 'cast', operand, type };
    }
    default: {
      const refused = REFUSED_PRIMARIES[word];
      if (refused !== undefined && (c.isSymbol('(', 1) || word === 'INTERVAL')) {
        throw unsupported(refused);
      }
      // LEFT and RIGHT are join words, and also PostgreSQL's left(s, n) and right(s, n).
      if ((word === 'LEFT' || word === 'RIGHT') && c.isSymbol('(', 1)) {
        c.next();
        return call(p, word.toLowerCase());
      }
      if (isReserved(word)) throw c.unexpected();
      if (c.peek(1)?.kind === 'string') throw unsupported(`typed literals (${word} '...')`);
      return columnOrCall(p);
    }
  }
}

function parenthesized(p: ExprParser): Expr {
  const c = p.c;
  c.expectSymbol('(');
  if (c.isWord('SELECT')) return p.subquery('scalar');
  if (c.isWord('WITH')) throw unsupported('WITH inside an expression subquery');
  const inner = p.nested(() => p.expr());
  if (c.isSymbol(',')) throw unsupported('row values');
  c.expectSymbol(')');
  return inner;
}

function columnOrCall(p: ExprParser): Expr {
  const c = p.c;
  const name = c.identifier('a column name');
  if (c.isSymbol('(')) return call(p, name);
  if (!c.acceptSymbol('.')) return { kind: 'column', table: null, name };
  if (c.isSymbol('*')) throw unsupported("'*' outside SELECT list or COUNT(*)");
  const column = c.identifier('a column name');
  if (c.isSymbol('.')) throw unsupported('schema-qualified names');
  if (c.isSymbol('(')) throw unsupported('qualified function names');
  return { kind: 'column', table: name, name: column };
}

function call(p: ExprParser, name: string): Expr {
  const c = p.c;
  c.expectSymbol('(');
  const aggregate = AGGREGATES.has(name);
  if (aggregate && name === 'count' && c.acceptSymbol('*')) {
    c.expectSymbol(')');
    const filter = aggregateFilter(p, name, true);
    if (c.isWord('OVER')) return windowCall(p, name, [], false, filter);
    refuseCallSuffix(p);
    return { kind: 'aggregate', name: 'count', arg: null, distinct: false, second: null, orderBy: [], filter };
  }
  if (name === 'position') return positionCall(p);
  if (name === 'extract') return extractCall(p);
  refuseKeywordArguments(p, name);
  const distinct = c.acceptWord('DISTINCT');
  if (!distinct) c.acceptWord('ALL');
  const args = c.isSymbol(')') ? [] : p.nested(() => p.list());
  // An empty count() would pass for COUNT(*) as a window function, which holds no '*'.
  if (aggregate && name === 'count' && args.length === 0) {
    throw new ChronosError('INVALID_ARGUMENT', 'count() takes one argument or *, got none');
  }
  const orderBy = callOrderBy(p, name);
  if (c.isWord('FROM') || c.isWord('FOR')) throw unsupported(keywordArgumentsHint(name));
  c.expectSymbol(')');
  const within = isOrderedSet(name) && !c.isWord('OVER') ? withinGroup(p, name) : orderBy;
  const filter = aggregateFilter(p, name, aggregate);
  if (c.isWord('OVER') || isWindowOnly(name)) {
    if (orderBy.length > 0) throw unsupported(`ORDER BY inside ${name}() with OVER`);
    return windowCall(p, name, args, distinct, filter);
  }
  refuseCallSuffix(p);
  if (!aggregate) {
    if (distinct) throw unsupported(`DISTINCT in ${name}()`);
    return { kind: 'call', name, args };
  }
  return aggregateCall(name as AggregateName, args, distinct, within, filter);
}

function refuseCallSuffix(p: ExprParser): void {
  if (p.c.isWord('WITHIN')) throw unsupported('WITHIN GROUP');
}

/** `FILTER (WHERE cond)` after a call's ')': the condition, or null when absent. */
function aggregateFilter(p: ExprParser, name: string, aggregate: boolean): Expr | null {
  const c = p.c;
  if (!c.acceptWord('FILTER')) return null;
  if (!aggregate) {
    throw new ChronosError('INVALID_ARGUMENT', `FILTER (WHERE ...) applies to aggregates, and ${name}() is not one`);
  }
  c.expectSymbol('(');
  c.expectWord('WHERE');
  const condition = p.nested(() => p.expr());
  c.expectSymbol(')');
  return condition;
}

/** A window call, which takes no FILTER here. */
function windowCall(p: ExprParser, name: string, args: readonly Expr[], distinct: boolean, filter: Expr | null): Expr {
  if (filter !== null) throw unsupported('FILTER (WHERE ...) with OVER');
  return parseWindowCall(p, name, args, distinct);
}

/** `CASE [operand] WHEN ... THEN ... [...] [ELSE ...] END`. */
function parseCase(p: ExprParser): Expr {
  const c = p.c;
  c.expectWord('CASE');
  const operand = c.isWord('WHEN') ? null : p.expr();
  const whens: CaseWhen[] = [];
  while (c.acceptWord('WHEN')) {
    const when = p.expr();
    c.expectWord('THEN');
    whens.push({ when, then: p.expr() });
  }
  if (whens.length === 0) throw c.fail('expected WHEN');
  const otherwise = c.acceptWord('ELSE') ? p.expr() : null;
  c.expectWord('END');
  return { kind: 'case', operand, whens, otherwise };
}

/** SQL-standard keyword forms of some functions: refused by name, with the form we take. */
function refuseKeywordArguments(p: ExprParser, name: string): void {
  const c = p.c;
  if (name === 'trim' && (c.isWord('BOTH') || c.isWord('LEADING') || c.isWord('TRAILING'))) {
    throw unsupported('TRIM(BOTH|LEADING|TRAILING ... FROM ...); use trim/ltrim/rtrim(s [, chars])');
  }
}

/** What to write instead of `name(... FROM ...)`, for the functions people write that way. */
function keywordArgumentsHint(name: string): string {
  if (name === 'substring' || name === 'substr') return `${name}(... FROM/FOR ...); use substr(s, start, length)`;
  if (name === 'date_part') return "date_part(... FROM ...); use date_part('hour', ts) or extract(hour FROM ts)";
  return `${name}(... FROM/FOR ...)`;
}

/** `extract(field FROM ts)` (standard SQL), after its '(': date_part's call with the field as text. */
function extractCall(p: ExprParser): Expr {
  const c = p.c;
  const token = c.peek();
  const field = token?.kind === 'string' ? (c.next(), token.value) : c.identifier('a field name (hour, day, ...)');
  c.expectWord('FROM');
  const time = p.nested(() => p.expr());
  c.expectSymbol(')');
  aggregateFilter(p, 'extract', false);
  refuseCallSuffix(p);
  return { kind: 'call', name: 'extract', args: [stringLiteral(field), time] };
}

/** `position(sub IN s)` (standard SQL), after its '(': the operands bind tighter than IN. */
function positionCall(p: ExprParser): Expr {
  const c = p.c;
  const needle = p.nested(() => p.parse(BP_RANGE + 1));
  c.expectWord('IN');
  const haystack = p.nested(() => p.parse(BP_RANGE + 1));
  c.expectSymbol(')');
  aggregateFilter(p, 'position', false);
  refuseCallSuffix(p);
  return { kind: 'call', name: 'position', args: [needle, haystack] };
}
