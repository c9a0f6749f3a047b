import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { likeMatcher } from '../../src/sql/like.js';
import { newSession, rowsOf, run } from './support.js';

/** One character lower-cased alone (ILIKE's folding, as PostgreSQL folds a character at a time). */
function foldOne(ch: string): string {
  return String.fromCodePoint(ch.toLowerCase().codePointAt(0) as number);
}

type LikeToken = { readonly literal: string } | '%' | '_' | 'dangling escape';

/**
 * PostgreSQL's matcher (like_match.c's MatchText), fine for short strings: left to right, a `%`
 * tried at every later place its next literal occurs, and an escape character with nothing
 * after it an error once reached with text left (false once the text has run out). The escape
 * is read a character at a time first, then (ILIKE) each literal and value character folded.
 */
function referenceLike(pattern: string, value: string, escape = '\\', fold = false): boolean | 'error' {
  const f = fold ? foldOne : (ch: string) => ch;
  const chars = [...pattern];
  const tokens: LikeToken[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === escape) tokens.push(i + 1 < chars.length ? { literal: f(chars[++i] as string) } : 'dangling escape');
    else tokens.push(ch === '%' || ch === '_' ? ch : { literal: f(ch) });
  }
  try {
    return matchText([...value].map(f), 0, tokens, 0) === true;
  } catch {
    return 'error';
  }
}

function matchText(text: string[], at: number, tokens: LikeToken[], next: number): boolean | 'abort' {
  let t = at;
  let p = next;
  while (t < text.length && p < tokens.length) {
    const token = tokens[p] as LikeToken;
    if (token === 'dangling escape') throw new Error('LIKE pattern must not end with escape character');
    if (token === '%') return afterPercent(text, t, tokens, p + 1);
    if (token !== '_' && token.literal !== text[t]) return false;
    t += 1;
    p += 1;
  }
  if (t < text.length) return false;
  while (p < tokens.length && tokens[p] === '%') p += 1;
  return p >= tokens.length ? true : 'abort';
}

function afterPercent(text: string[], at: number, tokens: LikeToken[], next: number): boolean | 'abort' {
  let t = at;
  let p = next;
  for (; p < tokens.length && (tokens[p] === '%' || tokens[p] === '_'); p += 1) {
    if (tokens[p] === '_') {
      if (t >= text.length) return 'abort';
      t += 1;
    }
  }
  if (p >= tokens.length) return true;
  const first = tokens[p] as LikeToken;
  if (first === 'dangling escape') throw new Error('LIKE pattern must not end with escape character');
  for (; t < text.length; t += 1) {
    if (typeof first === 'object' && text[t] !== first.literal) continue;
    const answer = matchText(text, t, tokens, p);
    if (answer !== false) return answer;
  }
  return 'abort';
}

/** What likeMatcher answers, with an error as 'error'. */
function ours(pattern: string, value: string, options: { escape?: string; caseInsensitive?: boolean } = {}): boolean | 'error' {
  try {
    return likeMatcher(pattern, options)(value);
  } catch {
    return 'error';
  }
}

describe('LIKE', () => {
  it('agrees with the regular-expression definition on random patterns and values', () => {
    const random = new Random(11);
    const letters = ['a', 'b', 'é', '😀', '.'];
    // A lone escape: the pattern may end with one (an error once reached with text left).
    const patternParts = [...letters, '%', '%', '_', '_', '\\%', '\\_', '\\\\', '\\'];
    for (let round = 0; round < 20_000; round += 1) {
      const value = Array.from({ length: random.int(8) }, () => random.pick([...letters, '%', '_', '\\'])).join('');
      const pattern = Array.from({ length: random.int(7) }, () => random.pick(patternParts)).join('');
      expect(ours(pattern, value), `'${value}' LIKE '${pattern}'`).toBe(referenceLike(pattern, value));
    }
  });

  it('ILIKE and ESCAPE agree with the definition: letters as escapes, İ, final sigma, astral characters', () => {
    const random = new Random(12);
    const letters = ['a', 'A', 'x', 'X', 'Σ', 'σ', 'İ', 'i', '😀', 'é', 'É'];
    for (let round = 0; round < 20_000; round += 1) {
      const escape = random.pick(['\\', 'X', 'x', '😀', 'Σ']);
      const parts = [...letters, '%', '%', '_', `${escape}%`, `${escape}_`, `${escape}${escape}`, `${escape}a`, escape];
      const value = Array.from({ length: random.int(8) }, () => random.pick([...letters, '%', '_'])).join('');
      const pattern = Array.from({ length: random.int(7) }, () => random.pick(parts)).join('');
      const fold = random.chance(0.7);
      expect(ours(pattern, value, { escape, caseInsensitive: fold }), `'${value}' ${fold ? 'ILIKE' : 'LIKE'} '${pattern}' ESCAPE '${escape}'`)
        .toBe(referenceLike(pattern, value, escape, fold));
    }
  });

  it('answers patterns that make a backtracking matcher run for hours', async () => {
    const { session } = await newSession();
    const value = 'a'.repeat(40);
    const pattern = `${'%a'.repeat(20)}b`;
    const result = await run(session, `SELECT '${value}' LIKE '${pattern}', '${value}b' LIKE '${pattern}'`);
    expect(rowsOf(result)).toEqual([[false, true]]);
  });
});

describe('ILIKE and LIKE ... ESCAPE (PostgreSQL 15\'s answers)', () => {
  it('fold case on both sides, and take another escape character or none', async () => {
    const { session } = await newSession();
    const result = await session.execute("SELECT 'ABC' ILIKE 'a%', 'abc' NOT ILIKE '_B_', 'a%b' LIKE 'a!%b' ESCAPE '!', " +
      "'axb' LIKE 'a!%b' ESCAPE '!', 'a\\b' LIKE 'a\\b' ESCAPE '', 'a_b' ILIKE 'A!_B' ESCAPE '!', NULL ILIKE 'a'");
    expect(result.kind === 'rows' ? result.columns[2] : null).toBe("'a%b' like 'a!%b' escape '!'");
    expect(rowsOf(result)).toEqual([[true, false, true, false, true, true, null]]);
  });

  it('fold a character at a time and leave the escape character as written', async () => {
    const { session } = await newSession();
    // The escape X is not x; İ folds to one i, so _ takes it whole; an astral escape character works.
    const result = await session.execute("SELECT 'axe' ILIKE 'axe' ESCAPE 'X', 'AXE' ILIKE 'axe' ESCAPE 'X', 'İ' ILIKE 'i', " +
      "'İstanbul' ILIKE 'istanbul', 'İ' ILIKE '_', 'a😀b' LIKE 'a😀%b' ESCAPE '😀', 'a%b' LIKE 'a😀%b' ESCAPE '😀'");
    expect(rowsOf(result)).toEqual([[true, true, true, true, true, false, true]]);
    // A final Σ folds to σ as any other, not to ς as a whole-string lower() would.
    expect(rowsOf(await session.execute("SELECT 'ΟΔΟΣX' ILIKE 'ΟΔΟΣ%', 'ΟΔΟΣ' ILIKE 'οδοσ', 'ΟΔΟΣ' ILIKE '%σ'"))).toEqual([[true, true, true]]);
  });

  it('refuse a pattern ending with its escape character once matching reaches it with text left', async () => {
    const { session } = await newSession();
    expect(rowsOf(await session.execute("SELECT '!' LIKE '!%' ESCAPE '%', 'a' LIKE 'a\\', 'ab' LIKE 'x\\'"))).toEqual([[false, false, false]]);
    for (const sql of ["SELECT '!x' LIKE '!%' ESCAPE '%'", "SELECT 'a\\' LIKE 'a\\'", "SELECT 'a!' ILIKE 'A!' ESCAPE '!'", "SELECT 'ab' LIKE 'a%\\'"]) {
      await expect(session.execute(sql), sql).rejects.toThrow('LIKE pattern must not end with escape character');
    }
  });
});
