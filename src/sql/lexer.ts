import { ChronosError } from '../lib/index.js';

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
  let line = 1;
  let column = 1;
  const end = Math.min(offset, sql.length);
  for (let i = 0; i < end; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
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

/** Split SQL into tokens, skipping whitespace and comments. Throws PARSE_ERROR on bad input. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
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
    } else if (isWordStart(c)) {
      const start = i;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (!(isWordStart(d) || isDigit(d) || d === 36)) break;
        i++;
      }
      tokens.push({ kind: 'word', value: sql.slice(start, i).toUpperCase(), start, end: i });
    } else if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      const start = i;
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
      tokens.push({ kind, value: sql.slice(start, i), start, end: i });
    } else if (c === 39 || c === 34) {
      const start = i;
      const quote = sql[i] as string;
      let value = '';
      i++;
      for (;;) {
        const close = sql.indexOf(quote, i);
        if (close < 0) {
          throw parseError(
            sql,
            start,
            c === 39 ? 'unterminated string' : 'unterminated identifier',
          );
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
      tokens.push({ kind: c === 39 ? 'string' : 'quoted', value, start, end: i });
    } else if (c === 40 || c === 41 || c === 44) {
      // ( ) , dominate VALUES lists: no slicing, no set lookup.
      tokens.push({
        kind: 'symbol',
        value: c === 40 ? '(' : c === 41 ? ')' : ',',
        start: i,
        end: i + 1,
      });
      i++;
    } else {
      const two = sql.slice(i, i + 2);
      if (SYMBOLS_2.has(two)) {
        tokens.push({ kind: 'symbol', value: two, start: i, end: i + 2 });
        i += 2;
      } else if (SYMBOLS_1.has(sql[i] as string)) {
        tokens.push({ kind: 'symbol', value: sql[i] as string, start: i, end: i + 1 });
        i++;
      } else {
        throw parseError(sql, i, `unexpected character '${sql[i] ?? ''}'`);
      }
    }
  }
  return tokens;
}

/** Drop trailing semicolons; refuse a second statement in the same text. */
export function singleStatement(sql: string, tokens: Token[]): Token[] {
  let end = tokens.length;
  while (end > 0 && tokens[end - 1]?.value === ';' && tokens[end - 1]?.kind === 'symbol') end--;
  for (let i = 0; i < end; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'symbol' && t.value === ';') {
      throw new ChronosError(
        'UNSUPPORTED',
        `Parse error: only one statement per request (found ';' at ${positionOf(sql, t.start)})`,
      );
    }
  }
  if (end === 0) throw new ChronosError('PARSE_ERROR', 'Parse error: empty statement');
  return end === tokens.length ? tokens : tokens.slice(0, end);
}

export { parseError as lexerParseError };
