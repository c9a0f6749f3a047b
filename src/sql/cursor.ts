import { ChronosError } from '../lib/index.js';
import { lexerParseError, type Token } from './lexer.js';

/** An UNSUPPORTED error naming the construct, e.g. `Unsupported: window functions`. */
export function unsupported(what: string): ChronosError {
  return new ChronosError('UNSUPPORTED', `Unsupported: ${what}`);
}

/** A cursor over the tokens of one statement, shared by every part of the parser. */
export class Cursor {
  #i = 0;
  constructor(
    readonly sql: string,
    readonly tokens: readonly Token[],
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.#i + offset];
  }
  done(): boolean {
    return this.#i >= this.tokens.length;
  }
  next(): Token {
    const t = this.tokens[this.#i];
    if (t === undefined) throw this.unexpected();
    this.#i++;
    return t;
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.tokens[this.#i + offset];
    return t !== undefined && t.kind === 'word' && t.value === word;
  }
  isSymbol(symbol: string, offset = 0): boolean {
    const t = this.tokens[this.#i + offset];
    return t !== undefined && t.kind === 'symbol' && t.value === symbol;
  }
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.#i++;
    return true;
  }
  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.#i++;
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
    this.#i++;
    return t.value.toLowerCase();
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
