import { BACKSLASH, COMMA, EQUALS, HASH, NEWLINE, QUOTE, SPACE } from './line-characters.js';

/** One line of a body: its text (without the newline that ended it) and the number of its first physical line. */
export interface BodyLine {
  readonly text: string;
  readonly lineNumber: number;
}

/**
 * Cuts a line-protocol body into lines as InfluxDB reads it: a line ends at a newline, except
 * one inside a quoted string field value (a log message, a stack trace), and a backslash
 * escapes the character after it, a newline too. Cutting at every newline instead would lose
 * such a point, and could store the text after the newline as a point nobody sent.
 */
export class LineSplitter {
  readonly #body: string;
  #at = 0;
  #lineNumber = 1;
  /** The next `"` and `\\` at or after where they were last looked for (body.length: none). */
  #nextQuote = -1;
  #nextBackslash = -1;

  constructor(body: string) {
    this.#body = body;
  }

  /** The next line, or null once the body is read. */
  next(): BodyLine | null {
    const body = this.#body;
    if (this.#at > body.length) return null;
    const start = this.#at;
    const end = this.#lineEnd(start);
    const text = body.slice(start, end);
    const line = { text, lineNumber: this.#lineNumber };
    this.#lineNumber += 1 + countNewlines(text);
    this.#at = end + 1;
    return line;
  }

  #lineEnd(start: number): number {
    const body = this.#body;
    const newline = body.indexOf('\n', start);
    const end = newline === -1 ? body.length : newline;
    // Each is looked for again only once passed, so a body is searched once, not once per line.
    if (this.#nextQuote < start) this.#nextQuote = indexOrEnd(body, '"', start);
    if (this.#nextBackslash < start) this.#nextBackslash = indexOrEnd(body, '\\', start);
    // Plain lines (most bodies hold no string fields) are cut by indexOf alone.
    if (Math.min(this.#nextQuote, this.#nextBackslash) >= end || isComment(body, start, end)) return end;
    return scanLineEnd(body, start);
  }
}

function indexOrEnd(body: string, character: string, from: number): number {
  const at = body.indexOf(character, from);
  return at === -1 ? body.length : at;
}

function isComment(body: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && (body.charCodeAt(i) === SPACE || body[i] === '\t')) i += 1;
  return i < end && body.charCodeAt(i) === HASH;
}

/**
 * The end of the line at `start`, character by character: once past the first space (the
 * field set), a `"` after a field's `=` opens or closes a string, and a newline within one does
 * not end the line. Without a closing quote the line runs to the end of the body, as there.
 */
function scanLineEnd(body: string, start: number): number {
  let inFields = false;
  let quoted = false;
  let equals = 0;
  let commas = 0;
  for (let i = start; i < body.length; i += 1) {
    const c = body.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 1;
      continue;
    }
    if (c === SPACE) inFields = true;
    if (inFields && !quoted && c === EQUALS) equals += 1;
    else if (inFields && !quoted && c === COMMA) commas += 1;
    else if (inFields && c === QUOTE && equals > commas) quoted = !quoted;
    else if (c === NEWLINE && !quoted) return i;
  }
  return body.length;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}
