import { canonicalInt, INT64_MAX, INT64_MIN } from '../storage/index.js';
import type { SqlType, SqlValue } from '../storage/index.js';
import type { Expr, LiteralRows } from './ast.js';

/** Rows between the pauses of `scanLiteralRows`. */
const ROWS_PER_STEP = 2_000;

/** Integers with fewer digits than this are exact doubles: read without a BigInt. */
const SAFE_INT_DIGITS = 16;

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 39;
const OPEN = 40;
const CLOSE = 41;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const STAR = 42;
const SEMICOLON = 59;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters, digits, `_`, `$` and non-ASCII: what continues a word in the lexer. */
function isWordPart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127 || isDigit(c) || c === 36;
}

/** Where a value of the VALUES list ended, or NOT_PLAIN when the text is beyond this scanner. */
const NOT_PLAIN = -1;

/**
 * Reads `VALUES (literal, ...), ...` straight from the characters, into flat arrays: the bulk
 * INSERT path, which makes no token and no Expr per value (a 100,000-row INSERT would make a
 * million short-lived objects and keep 300,000 of them until it is applied). It accepts exactly
 * the text the token parser reads as plain literals, with the same values and types; anything
 * else (an expression, a parameter, a malformed number, rows of different widths) gives up and
 * the caller parses the statement the general way, which also reports any error.
 */
class LiteralScanner {
  #i: number;
  readonly values: SqlValue[] = [];
  readonly types: (SqlType | null)[] = [];

  constructor(readonly sql: string, from: number) {
    this.#i = from;
  }

  /** Skips whitespace and comments; false on an unterminated comment. */
  skipSpace(): boolean {
    const sql = this.sql;
    for (;;) {
      const c = sql.charCodeAt(this.#i);
      if (c === SPACE || c === LF || c === CR || c === TAB) this.#i++;
      else if (c === MINUS && sql.charCodeAt(this.#i + 1) === MINUS) {
        const nl = sql.indexOf('\n', this.#i);
        this.#i = nl < 0 ? sql.length : nl + 1;
      } else if (c === SLASH && sql.charCodeAt(this.#i + 1) === STAR) {
        const close = sql.indexOf('*/', this.#i + 2);
        if (close < 0) return false;
        this.#i = close + 2;
      } else return true;
    }
  }

  /** Consumes `symbol` after any space. */
  accept(symbol: number): boolean {
    if (!this.skipSpace() || this.sql.charCodeAt(this.#i) !== symbol) return false;
    this.#i++;
    return true;
  }

  /**
   * Whether only space, comments and `;`s remain (the cursor's end of a statement). When not,
   * the position is left before any `;`: text after one is not more of this statement.
   */
  atEnd(): boolean {
    if (!this.skipSpace()) return false;
    const before = this.#i;
    while (this.sql.charCodeAt(this.#i) === SEMICOLON) {
      this.#i++;
      if (!this.skipSpace()) return false;
    }
    if (this.#i >= this.sql.length) return true;
    this.#i = before;
    return false;
  }

  /** One row `(v, ...)`: its width, or NOT_PLAIN. */
  row(): number {
    if (!this.accept(OPEN)) return NOT_PLAIN;
    for (let width = 1; ; width++) {
      if (!this.literal()) return NOT_PLAIN;
      if (this.accept(CLOSE)) return width;
      if (!this.accept(COMMA)) return NOT_PLAIN;
    }
  }

  /** One literal pushed onto values/types; false when the next thing is not a plain literal. */
  literal(): boolean {
    if (!this.skipSpace()) return false;
    const sql = this.sql;
    const c = sql.charCodeAt(this.#i);
    if (c === QUOTE) return this.#string();
    // `+1` is an expression to the general parser (never a position), not a plain literal.
    if (c === PLUS) return false;
    if (c === MINUS) {
      this.#i++;
      // `--` opened a comment above, so this sign is a real one; space may follow it.
      return this.skipSpace() && this.#number(c === MINUS);
    }
    if (isDigit(c) || c === DOT) return this.#number(false);
    return this.#word();
  }

  #string(): boolean {
    const sql = this.sql;
    let value = '';
    let i = this.#i + 1;
    for (;;) {
      const close = sql.indexOf("'", i);
      if (close < 0) return false;
      value += sql.slice(i, close);
      if (sql.charCodeAt(close + 1) !== QUOTE) {
        this.#i = close + 1;
        break;
      }
      value += "'";
      i = close + 2;
    }
    this.values.push(value);
    this.types.push('STRING');
    return true;
  }

  #word(): boolean {
    const sql = this.sql;
    const start = this.#i;
    let end = start;
    while (end < sql.length && isWordPart(sql.charCodeAt(end))) end++;
    const word = end - start <= 5 ? sql.slice(start, end).toUpperCase() : '';
    let value: SqlValue;
    if (word === 'NULL') value = null;
    else if (word === 'TRUE') value = true;
    else if (word === 'FALSE') value = false;
    else return false;
    this.#i = end;
    this.values.push(value);
    this.types.push(value === null ? null : 'BOOLEAN');
    return true;
  }

  /** A number as the lexer reads it (digits, fraction, exponent), negated when `negative`. */
  #number(negative: boolean): boolean {
    const sql = this.sql;
    const start = this.#i;
    let i = start;
    let integral = true;
    let intValue = 0;
    while (isDigit(sql.charCodeAt(i))) intValue = intValue * 10 + (sql.charCodeAt(i++) - 48);
    if (sql.charCodeAt(i) === DOT) {
      integral = false;
      i++;
      while (isDigit(sql.charCodeAt(i))) i++;
    }
    const e = sql.charCodeAt(i);
    if (e === 101 || e === 69) {
      integral = false;
      let j = i + 1;
      const sign = sql.charCodeAt(j);
      if (sign === PLUS || sign === MINUS) j++;
      if (!isDigit(sql.charCodeAt(j))) return false;
      i = j;
      while (isDigit(sql.charCodeAt(i))) i++;
    }
    // `.` alone, or a number glued to a word (`7d`), is not a literal here.
    if (i === start || (i === start + 1 && !integral && sql.charCodeAt(start) === DOT) ||
      isWordPart(sql.charCodeAt(i))) return false;
    this.#i = i;
    if (integral && i - start < SAFE_INT_DIGITS) {
      this.values.push(negative && intValue !== 0 ? -intValue : intValue);
      this.types.push('INT');
      return true;
    }
    if (!integral) {
      const value = Number(sql.slice(start, i));
      // Out of the double range: the general parser words the error.
      if (!Number.isFinite(value)) return false;
      this.values.push(negative ? -value : value);
      this.types.push('FLOAT');
      return true;
    }
    return this.#longInt(sql.slice(start, i), negative);
  }

  /**
   * Integers of 16 digits or more, read by the functions the token parser uses. One out of the
   * int64 range is left to the general parser, which reports it where it always does.
   */
  #longInt(text: string, negative: boolean): boolean {
    const big = BigInt(text);
    const value = negative ? canonicalInt(-big) : canonicalInt(big);
    if (typeof value === 'bigint' && (value > INT64_MAX || value < INT64_MIN)) return false;
    this.values.push(value);
    this.types.push('INT');
    return true;
  }
}

/**
 * The rows of `VALUES ...` from offset `from` of `sql` to the statement's end, in steps: the
 * generator pauses every ROWS_PER_STEP rows so a caller can turn its event loop. Returns null
 * when the list is not plain literals in rows of one width (the general parser then reads it).
 */
export function* scanLiteralRows(sql: string, from: number): Generator<void, LiteralRows | null> {
  const scanner = new LiteralScanner(sql, from);
  let width = 0;
  for (let count = 1; ; count++) {
    const rowWidth = scanner.row();
    if (rowWidth === NOT_PLAIN || (width !== 0 && rowWidth !== width)) return null;
    width = rowWidth;
    if (scanner.atEnd()) return { kind: 'literalRows', width, values: scanner.values, types: scanner.types };
    if (!scanner.accept(COMMA)) return null;
    if (count % ROWS_PER_STEP === 0) yield;
  }
}

/** The rows of an INSERT's VALUES as Expr lists, whichever form the parser chose. */
export function valuesExprs(rows: readonly (readonly Expr[])[] | LiteralRows): readonly (readonly Expr[])[] {
  if (!('kind' in rows)) return rows;
  const out: Expr[][] = [];
  for (let at = 0; at < rows.values.length; at += rows.width) {
    const row: Expr[] = [];
    for (let i = at; i < at + rows.width; i++) {
      row.push({ kind: 'literal', value: rows.values[i] ?? null, type: rows.types[i] ?? null });
    }
    out.push(row);
  }
  return out;
}
