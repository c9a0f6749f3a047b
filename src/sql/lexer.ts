import { ChronosError } from '../lib/index.js';
import { positionAt } from './split-statements.js';

/** Token kinds of the hand-written lexer. */
/** `duration` is a number glued to a unit (`7d`), only meaningful in `WITH TTL=7d`. */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'duration' | 'symbol';

/** One token; `text` is the source text, `value` the decoded content. */
export interface Token {
  readonly kind: TokenKind;
  /** Words: upper-cased; quoted identifiers and strings: decoded content; others: the text. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const SYMBOLS_2 = new Set(['<=', '>=', '<>', '!=', '||', '::']);
const SYMBOLS_1 = new Set(['(', ')', ',', ';', '+', '-', '*', '/', '%', '=', '<', '>', '.']);

/** Line/column (1-based) of a source offset, for messages. */
export function positionOf(sql: string, offset: number): string {
  const { line, column } = positionAt(sql, offset);
  return `line ${line}, column ${column}`;
}

function parseError(sql: string, offset: number, what: string): ChronosError {
  return new ChronosError('PARSE_ERROR', `Parse error: ${what} at ${positionOf(sql, offset)}`, {
    details: { offset },
  });
}

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Tokens of SQL text, produced on demand: the parser consumes each as it is made, so a huge
 * statement never holds all its tokens alive at once (they die young, which the GC likes).
 */
export class Lexer {
  #i = 0;
  constructor(readonly sql: string) {}

  /** The next token, skipping whitespace and comments; undefined at the end. */
  next(): Token | undefined {
    const sql = this.sql;
    const n = sql.length;
    let i = this.#i;
    while (i < n) {
      const c = sql.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        i++;
      } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
        const nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
        const close = sql.indexOf('*/', i + 2);
        if (close < 0) throw parseError(sql, i, 'unterminated comment');
        i = close + 2;
      } else {
        const token = tokenAt(sql, i, c);
        this.#i = token.end;
        return token;
      }
    }
    this.#i = n;
    return undefined;
  }
}

/** Split SQL into tokens, skipping whitespace and comments. Throws PARSE_ERROR on bad input. */
export function tokenize(sql: string): Token[] {
  const lexer = new Lexer(sql);
  const tokens: Token[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) tokens.push(t);
  return tokens;
}

function wordAt(sql: string, start: number): Token {
  let i = start;
  while (i < sql.length) {
    const d = sql.charCodeAt(i);
    if (!(isWordStart(d) || isDigit(d) || d === 36)) break;
    i++;
  }
  return { kind: 'word', value: sql.slice(start, i).toUpperCase(), start, end: i };
}

function numberAt(sql: string, start: number): Token {
  const n = sql.length;
  let i = start;
  while (i < n && isDigit(sql.charCodeAt(i))) i++;
  if (sql.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(sql.charCodeAt(i))) i++;
  }
  const e = sql.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = sql.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (!isDigit(sql.charCodeAt(j))) throw parseError(sql, i, 'malformed number');
    i = j;
    while (i < n && isDigit(sql.charCodeAt(i))) i++;
  }
  let kind: TokenKind = 'number';
  while (i < n && isWordStart(sql.charCodeAt(i))) {
    kind = 'duration';
    i++;
  }
  return { kind, value: sql.slice(start, i), start, end: i };
}

function quotedAt(sql: string, start: number, c: number): Token {
  const quote = sql[start] as string;
  let value = '';
  let i = start + 1;
  for (;;) {
    const close = sql.indexOf(quote, i);
    if (close < 0) {
      throw parseError(sql, start, c === 39 ? 'unterminated string' : 'unterminated identifier');
    }
    value += sql.slice(i, close);
    if (sql[close + 1] === quote) {
      value += quote;
      i = close + 2;
    } else {
      i = close + 1;
      break;
    }
  }
  return { kind: c === 39 ? 'string' : 'quoted', value, start, end: i };
}

/** The token starting at `i` (not whitespace or a comment); `c` is its first code unit. */
function tokenAt(sql: string, i: number, c: number): Token {
  if (isWordStart(c)) return wordAt(sql, i);
  if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) return numberAt(sql, i);
  if (c === 39 || c === 34) return quotedAt(sql, i, c);
  if (c === 40 || c === 41 || c === 44) {
    // ( ) , dominate VALUES lists: no slicing, no set lookup.
    return { kind: 'symbol', value: c === 40 ? '(' : c === 41 ? ')' : ',', start: i, end: i + 1 };
  }
  const two = sql.slice(i, i + 2);
  if (SYMBOLS_2.has(two)) return { kind: 'symbol', value: two, start: i, end: i + 2 };
  const one = sql[i] as string;
  if (SYMBOLS_1.has(one)) return { kind: 'symbol', value: one, start: i, end: i + 1 };
  throw parseError(sql, i, `unexpected character '${one}'`);
}

/** The error for text after a statement's `;`: one statement per request. */
export function secondStatement(sql: string, semicolon: Token): ChronosError {
  return new ChronosError(
    'UNSUPPORTED',
    `Parse error: only one statement per request (found ';' at ${positionOf(sql, semicolon.start)})`,
  );
}

export { parseError as lexerParseError };
