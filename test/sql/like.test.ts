import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { likeMatcher } from '../../src/sql/like.js';
import { newSession, rowsOf, run } from './support.js';

/** One character lower-cased alone (ILIKE's folding, as PostgreSQL folds a character at a time). */
function foldOne(ch: string): string {
  return String.fromCodePoint(ch.toLowerCase().codePointAt(0) as number);
}

/**
 * The obvious definition, fine for short strings: LIKE as an anchored regular expression, the
 * escape read a character at a time first, then (ILIKE) each literal and value character folded.
 */
function referenceLike(pattern: string, value: string, escape = '\\', fold = false): boolean {
  const f = fold ? foldOne : (ch: string) => ch;
  const chars = [...pattern];
  let source = '^';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === escape && i + 1 < chars.length) source += escapeRegExp(f(chars[++i] as string));
    else if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else source += escapeRegExp(f(ch));
  }
  return new RegExp(`${source}$`, 'u').test([...value].map(f).join(''));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('LIKE', () => {
  it('agrees with the regular-expression definition on random patterns and values', () => {
    const random = new Random(11);
    const letters = ['a', 'b', 'é', '😀', '.'];
    const patternParts = [...letters, '%', '%', '_', '_', '\\%', '\\_', '\\\\'];
    for (let round = 0; round < 20_000; round += 1) {
      const value = Array.from({ length: random.int(8) }, () => random.pick([...letters, '%', '_', '\\'])).join('');
      const pattern = Array.from({ length: random.int(7) }, () => random.pick(patternParts)).join('');
      expect(likeMatcher(pattern)(value), `'${value}' LIKE '${pattern}'`).toBe(referenceLike(pattern, value));
    }
  });

  it('ILIKE and ESCAPE agree with the definition: letters as escapes, İ, final sigma, astral characters', () => {
    const random = new Random(12);
    const letters = ['a', 'A', 'x', 'X', 'Σ', 'σ', 'İ', 'i', '😀', 'é', 'É'];
    for (let round = 0; round < 20_000; round += 1) {
      const escape = random.pick(['\\', 'X', 'x', '😀', 'Σ']);
      const parts = [...letters, '%', '%', '_', `${escape}%`, `${escape}_`, `${escape}${escape}`, `${escape}a`];
      const value = Array.from({ length: random.int(8) }, () => random.pick([...letters, '%', '_'])).join('');
      const pattern = Array.from({ length: random.int(7) }, () => random.pick(parts)).join('');
      const fold = random.chance(0.7);
      expect(likeMatcher(pattern, { escape, caseInsensitive: fold })(value), `'${value}' ${fold ? 'ILIKE' : 'LIKE'} '${pattern}' ESCAPE '${escape}'`)
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
});
