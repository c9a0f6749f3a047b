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
}

/**
 * Splits SQL text into statements on `;` outside quotes and comments. `'...'` strings (with
 * `''` escapes), `"..."` and backtick identifiers are kept verbatim; `-- ...` and `/* ... *\/`
 * comments are dropped (a block comment becomes a space so tokens stay apart).
 */
export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  // The current statement is kept as slices of the text: appending one character at a time
  // would build millions of string fragments for a large INSERT.
  let parts: string[] = [];
  let runStart = 0;
  const take = (end: number): void => {
    if (end > runStart) parts.push(text.slice(runStart, end));
    runStart = end;
  };
  let i = 0;
  let line = 1;
  let open: OpenConstruct = null;
  let openLine = 0;
  const length = text.length;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === NEWLINE) {
      line += 1;
      i += 1;
    } else if (code === SINGLE_QUOTE || code === DOUBLE_QUOTE || code === BACKTICK) {
      const end = closingQuote(text, i, text[i] as string);
      if (end === -1) {
        take(length);
        open = code === SINGLE_QUOTE ? 'string' : 'identifier';
        openLine = line;
        break;
      }
      line += countNewlines(text, i, end + 1);
      i = end + 1;
    } else if (code === DASH && text.charCodeAt(i + 1) === DASH) {
      take(i);
      const end = text.indexOf('\n', i);
      runStart = end === -1 ? length : end; // the newline itself is kept: it separates tokens
      if (end === -1) break;
      i = end;
    } else if (code === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) {
        // Kept so that feeding `rest` back with more text (the REPL) still sees the comment.
        take(length);
        open = 'comment';
        openLine = line;
        break;
      }
      take(i);
      parts.push(' ');
      line += countNewlines(text, i, end + 2);
      i = end + 2;
      runStart = i;
    } else if (code === SEMICOLON) {
      take(i);
      const statement = parts.join('').trim();
      if (statement !== '') statements.push(statement);
      parts = [];
      i += 1;
      runStart = i;
    } else {
      i += 1;
    }
  }
  take(length);
  return { statements, rest: parts.join('').trim(), open, openLine };
}

const NEWLINE = 10;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;
const BACKTICK = 96;
const DASH = 45;
const SLASH = 47;
const STAR = 42;
const SEMICOLON = 59;

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
