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
  let current = '';
  let i = 0;
  let line = 1;
  let open: OpenConstruct = null;
  let openLine = 0;
  const length = text.length;
  while (i < length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '\n') line += 1;
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(text, i, ch);
      const piece = text.slice(i, end === -1 ? length : end + 1);
      current += piece;
      if (end === -1) {
        open = ch === "'" ? 'string' : 'identifier';
        openLine = line;
        break;
      }
      line += countNewlines(piece);
      i = end + 1;
    } else if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end; // the newline itself is kept: it separates tokens
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const comment = text.slice(i, end === -1 ? length : end + 2);
      if (end === -1) {
        // Kept so that feeding `rest` back with more text (the REPL) still sees the comment.
        current += comment;
        open = 'comment';
        openLine = line;
        break;
      }
      line += countNewlines(comment);
      current += ' ';
      i = end + 2;
    } else if (ch === ';') {
      const statement = current.trim();
      if (statement !== '') statements.push(statement);
      current = '';
      i += 1;
    } else {
      current += ch;
      i += 1;
    }
  }
  return { statements, rest: current.trim(), open, openLine };
}

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

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}
