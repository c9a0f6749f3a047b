import { ChronosError } from '../lib/index.js';
import { Lexer, lexerParseError, secondStatement, type Token } from './lexer.js';
import { tooManyTokens } from './parse-limits.js';

/** An UNSUPPORTED error naming the construct, e.g. `Unsupported: GROUPS frames`. */
export function unsupported(what: string): ChronosError {
  return new ChronosError('UNSUPPORTED', `Unsupported: ${what}`);
}

/**
 * A cursor over the tokens of one statement, shared by every part of the parser. Tokens are
 * lexed as the parser reaches them; trailing `;` are dropped and text after a `;` refused.
 */
export class Cursor {
  readonly #lexer: Lexer;
  readonly #buffer: Token[] = [];
  #head = 0;
  #ended = false;
  /** Tokens this cursor may still lex before the statement is refused (parse-limits.ts). */
  #tokensLeft: number;
  constructor(readonly sql: string, tokensMax = Infinity) {
    this.#lexer = new Lexer(sql);
    this.#tokensLeft = tokensMax;
  }

  peek(offset = 0): Token | undefined {
    while (this.#buffer.length - this.#head <= offset && !this.#ended) this.#pull();
    return this.#buffer[this.#head + offset];
  }
  done(): boolean {
    return this.peek() === undefined;
  }
  next(): Token {
    const t = this.peek();
    if (t === undefined) throw this.unexpected();
    this.#head++;
    if (this.#head === this.#buffer.length) {
      // Drained: start over in place so the buffer never grows with the statement.
      this.#buffer.length = 0;
      this.#head = 0;
    }
    return t;
  }
  #pull(): void {
    const t = this.#lexer.next();
    if (t === undefined || (t.kind === 'symbol' && t.value === ';')) {
      if (t !== undefined) {
        for (let u = this.#lexer.next(); u !== undefined; u = this.#lexer.next()) {
          if (u.kind !== 'symbol' || u.value !== ';') throw secondStatement(this.sql, t);
        }
      }
      this.#ended = true;
      return;
    }
    if (--this.#tokensLeft < 0) throw tooManyTokens();
    this.#buffer.push(t);
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.value === word;
  }
  isSymbol(symbol: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'symbol' && t.value === symbol;
  }
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.next();
    return true;
  }
  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.next();
    return true;
  }
  expectWord(word: string): void {
    if (!this.acceptWord(word)) throw this.fail(`expected ${word}`);
  }
  expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.fail(`expected '${symbol}'`);
  }
  identifier(what: string): string {
    const t = this.peek();
    if (t === undefined || (t.kind !== 'word' && t.kind !== 'quoted')) {
      throw this.fail(`expected ${what}`);
    }
    this.next();
    return t.value.toLowerCase();
  }
  /** `(name, ...)` when the next token opens one: the names as `identifier` reads them; else undefined. */
  nameList(what: string): string[] | undefined {
    if (!this.acceptSymbol('(')) return undefined;
    const names: string[] = [];
    do names.push(this.identifier(what)); while (this.acceptSymbol(','));
    this.expectSymbol(')');
    return names;
  }
  expectEnd(): void {
    if (!this.done()) throw this.unexpected();
  }
  /** `expected X, found 'Y'` at the current token. */
  fail(what: string): ChronosError {
    const t = this.peek();
    if (t === undefined) {
      return new ChronosError('PARSE_ERROR', `Parse error: ${what}, but the statement ended`);
    }
    const shown = this.sql.slice(t.start, t.end);
    return lexerParseError(this.sql, t.start, `${what}, found '${shown}'`);
  }
  /** `unexpected 'Y'` at the current token, or `unexpected end of statement`. */
  unexpected(): ChronosError {
    const t = this.peek();
    if (t === undefined) {
      return new ChronosError('PARSE_ERROR', 'Parse error: unexpected end of statement');
    }
    return lexerParseError(this.sql, t.start, `unexpected '${this.sql.slice(t.start, t.end)}'`);
  }
}
