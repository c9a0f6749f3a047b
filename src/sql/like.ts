import { ChronosError } from '../lib/index.js';

/**
 * LIKE without backtracking: `%` any run, `_` one character (code point), `\` (or ESCAPE's
 * character) escapes; case-sensitive (ILIKE folds both sides first). A RegExp built from the pattern backtracks exponentially on shapes such as
 * `'aaaa…' LIKE '%a%a%…%ab'` and holds the event loop that also runs Raft; splitting the
 * pattern at `%` and placing each piece at its leftmost fit is linear per piece and exact,
 * because a piece placed further left never leaves less room for the pieces after it.
 */

/** Literal text, or `_`. */
type Token = string | null;
/** The tokens between two `%`. */
type Piece = Token[];

/** How a pattern reads: the character that makes the next one literal ('' : none), and ILIKE's case folding. */
export interface LikeOptions {
  readonly escape?: string;
  readonly caseInsensitive?: boolean;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Lower case, one code point for one: `İ` becomes `i`, not `i` and a combining dot, so `_`
 * still takes it whole (as PostgreSQL's ILIKE folds a character at a time).
 */
export function foldCase(text: string): string {
  // toLowerCase on a whole string is context-sensitive (a final Σ becomes ς): ASCII only.
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += String.fromCodePoint(ch.toLowerCase().codePointAt(0) as number);
  return out;
}

/** The matcher for one LIKE pattern (ILIKE's too, with `caseInsensitive`). */
export function likeMatcher(pattern: string, options: LikeOptions = {}): (value: string) => boolean {
  const folded = options.caseInsensitive === true;
  const { pieces, danglingEscape } = splitPattern(pattern, options.escape ?? '\\', folded);
  const match = danglingEscape ? refusedAtEnd(pieces) : patternMatcher(pieces);
  return folded ? (value) => match(foldCase(value)) : match;
}

/**
 * A pattern that ends with its escape character matches nothing. PostgreSQL raises an error
 * once its left-to-right match reaches that character with text left over, which happens
 * exactly when the rest of the pattern matches a proper prefix of the text. After a `%` and
 * only `_`s it checks the escape as soon as the `_`s have taken their characters.
 */
function refusedAtEnd(pieces: Piece[]): (value: string) => boolean {
  const last = pieces[pieces.length - 1] as Piece;
  const onlyAny = pieces.length > 1 && last.length > 0 && last.every((token) => token === null);
  const reachesEnd = patternMatcher(onlyAny ? [...pieces, []] : [...pieces.slice(0, -1), [...last, null], []]);
  return (value) => {
    if (reachesEnd(value)) throw new ChronosError('INVALID_ARGUMENT', 'LIKE pattern must not end with escape character');
    return false;
  };
}

function patternMatcher(pieces: Piece[]): (value: string) => boolean {
  const first = pieces[0] as Piece;
  if (pieces.length === 1) return (value) => matchAt(first, value, 0) === value.length;
  const last = pieces[pieces.length - 1] as Piece;
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  return (value) => {
    let at = matchAt(first, value, 0);
    if (at < 0) return false;
    for (const piece of middle) {
      at = leftmostEnd(piece, value, at);
      if (at < 0) return false;
    }
    return endsWithPiece(last, value, at);
  };
}

/**
 * The pieces between `%`s, the escapes read first (a code point at a time), then the literals
 * folded for ILIKE; and whether the pattern ends with an escape character that escapes nothing.
 */
function splitPattern(pattern: string, escape: string, folded: boolean): { pieces: Piece[]; danglingEscape: boolean } {
  const pieces: Piece[] = [[]];
  let piece = pieces[0] as Piece;
  let literal = '';
  const flush = (): void => {
    if (literal !== '') piece.push(folded ? foldCase(literal) : literal);
    literal = '';
  };
  const chars = [...pattern];
  let danglingEscape = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === escape) {
      if (i + 1 < chars.length) literal += chars[++i] as string;
      else danglingEscape = true;
    } else if (ch === '%') {
      flush();
      piece = [];
      pieces.push(piece);
    } else if (ch === '_') {
      flush();
      piece.push(null);
    } else literal += ch;
  }
  flush();
  return { pieces, danglingEscape };
}

/** Where `piece` placed at `start` ends in `value`, or -1 when it does not fit there. */
function matchAt(piece: Piece, value: string, start: number): number {
  let at = start;
  for (const token of piece) {
    if (token === null) {
      if (at >= value.length) return -1;
      at = nextCodePoint(value, at);
    } else {
      if (!value.startsWith(token, at)) return -1;
      at += token.length;
    }
  }
  return at;
}

/**
 * Where `piece`'s leftmost fit at or after `from` ends, or -1. A piece that starts with literal
 * text is only tried where indexOf finds that text: trying every start with startsWith took
 * O(length x piece) (a 10,000-character piece over a 1,000,000-character text held the event
 * loop for half a minute), where indexOf searches in about one pass.
 */
function leftmostEnd(piece: Piece, value: string, from: number): number {
  const head = piece[0];
  if (typeof head === 'string') {
    for (let start = value.indexOf(head, from); start >= 0; start = value.indexOf(head, nextCodePoint(value, start))) {
      const end = matchAt(piece, value, start);
      if (end >= 0) return end;
    }
    return -1;
  }
  for (let start = from; start <= value.length; start = nextCodePoint(value, start)) {
    const end = matchAt(piece, value, start);
    if (end >= 0) return end;
    if (start === value.length) break;
  }
  return -1;
}

function endsWithPiece(piece: Piece, value: string, from: number): boolean {
  if (piece.every((token) => token !== null)) {
    const suffix = (piece as string[]).join('');
    return value.length - from >= suffix.length && value.endsWith(suffix);
  }
  for (let start = from; start <= value.length; start = nextCodePoint(value, start)) {
    if (matchAt(piece, value, start) === value.length) return true;
    if (start === value.length) break;
  }
  return false;
}

function nextCodePoint(value: string, at: number): number {
  const code = value.charCodeAt(at);
  const pair = code >= 0xd800 && code <= 0xdbff && at + 1 < value.length;
  if (!pair) return at + 1;
  const low = value.charCodeAt(at + 1);
  return low >= 0xdc00 && low <= 0xdfff ? at + 2 : at + 1;
}
