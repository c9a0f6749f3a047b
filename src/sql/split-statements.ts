/** What is left open at the end of the text, if anything. */
export type OpenConstruct = 'string' | 'identifier' | 'comment' | null;

/** The outcome of splitting SQL text on `;`. */
export interface SplitResult {
  /** Complete statements (ended by `;`), comments removed, trimmed, empty ones dropped. */
  readonly statements: readonly string[];
  /** Text after the last `;`, comments removed and trimmed ('' when nothing is pending). */
  readonly rest: string;
  /** A quote or block comment that the text opens and does not close. */
  readonly open: OpenConstruct;
  /** 1-based line where `open` starts (0 when nothing is open). */
  readonly openLine: number;
  /** Where each statement's first character is in the text, parallel to `statements`. */
  readonly starts: readonly TextPosition[];
  /** Offset in the text where `rest` begins, comments and blanks included (after the last `;`). */
  readonly restOffset: number;
}

/** A 1-based line and column in a text. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Splits SQL text into statements on `;` outside quotes and comments. `'...'` strings (with
 * `''` escapes), `"..."` and backtick identifiers are kept verbatim; `-- ...` comments are
 * dropped and a `/* ... *\/` comment becomes blanks of its length with its line breaks, so a
 * position in a statement is its position in the text counted from the statement's start.
 */
export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  const starts: TextPosition[] = [];
  const lines = new LineCounter(text);
  let statementStart = 0;
  // The current statement is kept as slices of the text: appending one character at a time
  // would build millions of string fragments for a large INSERT.
  let parts: string[] = [];
  let runStart = 0;
  const take = (end: number): void => {
    if (end > runStart) parts.push(text.slice(runStart, end));
    runStart = end;
  };
  let i = 0;
  let open: OpenConstruct = null;
  let openAt = 0;
  const length = text.length;
  while (i < length) {
    // Ordinary text between the characters that matter is skipped by the regex engine, not
    // a character at a time: a 16 MiB statement is split in tens of milliseconds.
    SPECIAL.lastIndex = i;
    const match = SPECIAL.exec(text);
    if (match === null) break;
    i = match.index;
    const code = text.charCodeAt(i);
    if (code === SINGLE_QUOTE || code === DOUBLE_QUOTE || code === BACKTICK) {
      const end = closingQuote(text, i, text[i] as string);
      if (end === -1) {
        take(length);
        open = code === SINGLE_QUOTE ? 'string' : 'identifier';
        openAt = i;
        break;
      }
      i = end + 1;
    } else if (code === DASH) {
      take(i);
      const end = text.indexOf('\n', i);
      runStart = end === -1 ? length : end; // the newline itself is kept: it separates tokens
      if (end === -1) break;
      i = end;
    } else if (code === SLASH) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) {
        // Kept so that feeding `rest` back with more text (the REPL) still sees the comment.
        take(length);
        open = 'comment';
        openAt = i;
        break;
      }
      take(i);
      parts.push(text.slice(i, end + 2).replace(/[^\n]/g, ' '));
      i = end + 2;
      runStart = i;
    } else {
      take(i);
      const statement = parts.join('').trim();
      if (statement !== '') {
        statements.push(statement);
        starts.push(lines.positionOf(firstTokenAt(text, statementStart, i)));
      }
      parts = [];
      i += 1;
      runStart = i;
      statementStart = i;
    }
  }
  take(length);
  const openLine = open === null ? 0 : 1 + countNewlines(text, 0, openAt);
  return { statements, rest: parts.join('').trim(), open, openLine, starts, restOffset: statementStart };
}

/** Offset of the first character in text[from, to) outside blanks and comments (`to` if none). */
function firstTokenAt(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    if (/\s/.test(text[i] as string)) i += 1;
    else if (text.startsWith('--', i)) i = text.indexOf('\n', i) === -1 ? to : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) === -1 ? to : text.indexOf('*/', i + 2) + 2;
    else return i;
  }
  return to;
}

/** The 1-based line and column of `offset` in `text` (columns in UTF-16 code units). */
export function positionAt(text: string, offset: number): TextPosition {
  return new LineCounter(text).positionOf(Math.min(offset, text.length));
}

/** Line and column of offsets asked in ascending order, counting each newline once. */
class LineCounter {
  readonly #text: string;
  #offset = 0;
  #line = 1;
  #lineStart = 0;

  constructor(text: string) {
    this.#text = text;
  }

  positionOf(offset: number): TextPosition {
    for (let at = this.#text.indexOf('\n', this.#offset); at !== -1 && at < offset; at = this.#text.indexOf('\n', at + 1)) {
      this.#line += 1;
      this.#lineStart = at + 1;
    }
    this.#offset = Math.max(this.#offset, offset);
    return { line: this.#line, column: offset - this.#lineStart + 1 };
  }
}

/** A quote, `;`, or the start of a comment: the only text splitting looks at. */
const SPECIAL = /['"`;]|--|\/\*/g;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;
const BACKTICK = 96;
const DASH = 45;
const SLASH = 47;

/** Index of the quote that closes the one at `start`, or -1; a doubled quote is an escape. */
function closingQuote(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    const at = text.indexOf(quote, i);
    if (at === -1) return -1;
    if (text[at + 1] === quote) {
      i = at + 2;
      continue;
    }
    return at;
  }
  return -1;
}

/** Newlines in text[from, to). */
function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}
