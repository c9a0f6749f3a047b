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

/** The matcher for one LIKE pattern; `escape` makes the next character literal ('' : none). */
export function likeMatcher(pattern: string, escape = '\\'): (value: string) => boolean {
  const pieces = splitPattern(pattern, escape);
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

function splitPattern(pattern: string, escape: string): Piece[] {
  const pieces: Piece[] = [[]];
  let piece = pieces[0] as Piece;
  let literal = '';
  const flush = (): void => {
    if (literal !== '') piece.push(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === escape && i + 1 < pattern.length) literal += pattern[++i] as string;
    else if (ch === '%') {
      flush();
      piece = [];
      pieces.push(piece);
    } else if (ch === '_') {
      flush();
      piece.push(null);
    } else literal += ch;
  }
  flush();
  return pieces;
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

function leftmostEnd(piece: Piece, value: string, from: number): number {
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
