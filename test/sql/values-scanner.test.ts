import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import type { Statement } from '../../src/sql/ast.js';
import { parseStatement, parseWithoutFastPath } from '../../src/sql/parse.js';
import { valuesExprs } from '../../src/sql/values-scanner.js';

/** A statement with its VALUES as Expr lists, so both parsers' results compare. */
function normalized(statement: Statement): unknown {
  return statement.kind === 'insert' ? { ...statement, rows: valuesExprs(statement.rows) } : statement;
}

/** What parsing gives: the normalized tree, or the error's code and message. */
function outcome(parse: (sql: string) => Statement, sql: string): unknown {
  try {
    return normalized(parse(sql));
  } catch (error) {
    const e = error as Error & { code?: string };
    return { error: e.code, message: e.message };
  }
}

/** Space between tokens as a user may write it: blanks, tabs, newlines, both kinds of comment. */
function space(rng: Random): string {
  const pick = [' ', '', '  ', '\t', '\n', '\r\n', ' -- note\n', '/* c */', ' /* a\nb */ ', '--\n'];
  return rng.chance(0.6) ? pick[0] as string : pick[rng.int(pick.length)] as string;
}

/** One literal, or sometimes a thing that only looks like one. */
function literal(rng: Random, broken: boolean): string {
  const sign = rng.chance(0.3) ? (rng.chance(0.8) ? '-' : '+') + (rng.chance(0.2) ? ' ' : '') : '';
  const forms = [
    () => String(rng.int(1000)), () => '0', () => String(rng.int(2 ** 31) * 7919),
    () => '123456789012345', () => '1234567890123456', () => '9223372036854775807', () => '9223372036854775808',
    () => '99999999999999999999', () => '007', () => `${rng.int(100)}.${rng.int(100)}`, () => '.5', () => '5.',
    () => '1e5', () => '2.5E-3', () => '1e+2', () => '1e400', () => '0.0',
    () => "'plain'", () => "''", () => "'it''s'", () => "'ünï ✓'", () => "'a,b)(c'", () => "'--not a comment'",
    () => 'NULL', () => 'null', () => 'TRUE', () => 'false', () => 'FaLsE',
  ];
  const brokenForms = [
    () => '1 + 2', () => '7d', () => '1e', () => '.', () => '- -5', () => "+'a'", () => 'nullx', () => '"quoted"',
    () => '$1', () => '?', () => 'now()', () => "'unterminated", () => '1.5x', () => '(1)', () => 'NULL1', () => '',
  ];
  const list = broken ? brokenForms : forms;
  const body = (list[rng.int(list.length)] as () => string)();
  return /^[0-9.]/.test(body) ? sign + body : body;
}

/** An INSERT whose VALUES are mostly plain literals, sometimes broken in one place. */
function insertText(rng: Random): string {
  const width = 1 + rng.int(4);
  const rows = 1 + rng.int(6);
  const brokenAt = rng.chance(0.15) ? rng.int(rows * width) : -1;
  const parts: string[] = [];
  for (let r = 0; r < rows; r++) {
    const rowWidth = rng.chance(0.02) ? width + 1 : width;
    const values = Array.from({ length: rowWidth }, (_, i) => space(rng) + literal(rng, r * width + i === brokenAt) + space(rng));
    parts.push(`(${values.join(',')})`);
  }
  const joiners = [';', '', '; ,', ';,'];
  const joiner = rng.chance(0.95) ? ',' : joiners[rng.int(joiners.length)] as string;
  const ends = ['', ';', ' ;', ';;', '; ;\n', ' -- end', '/* end */', '; SELECT 1', ',', ' x'];
  const end = rng.chance(0.8) ? '' : ends[rng.int(ends.length)] as string;
  const columns = rng.chance(0.5) ? '' : ` (${Array.from({ length: width }, (_, i) => `c${i}`).join(', ')})`;
  return `INSERT INTO t${columns} VALUES${space(rng)}${parts.join(space(rng) + joiner + space(rng))}${end}`;
}

describe('the VALUES scanner', () => {
  it('reads exactly what the general parser reads, with the same values, types and errors', () => {
    const rng = new Random(20261204);
    let flat = 0;
    for (let n = 0; n < 6_000; n++) {
      const sql = insertText(rng);
      const fast = outcome(parseStatement, sql);
      expect(fast, sql).toEqual(outcome(parseWithoutFastPath, sql));
      const parsed = (fast as { rows?: unknown }).rows !== undefined ? parseStatement(sql) : null;
      if (parsed?.kind === 'insert' && 'kind' in parsed.rows) flat++;
    }
    // The generator must reach the scanner's own path most of the time, not only the fallback.
    expect(flat).toBeGreaterThan(1_500);
  });

  it('keeps -0 of a float and 0 of an integer, and large integers exact', () => {
    const s = parseStatement('INSERT INTO t VALUES (-0.0, -0, -9223372036854775808, 9007199254740993)');
    expect(s.kind === 'insert' && 'kind' in s.rows).toBe(true);
    const rows = s.kind === 'insert' ? valuesExprs(s.rows) : [];
    expect(Object.is((rows[0]?.[0] as { value: number }).value, -0)).toBe(true);
    expect(Object.is((rows[0]?.[1] as { value: number }).value, 0)).toBe(true);
    expect(rows[0]?.[2]).toEqual({ kind: 'literal', value: -(2n ** 63n), type: 'INT' });
    expect(rows[0]?.[3]).toEqual({ kind: 'literal', value: 9007199254740993n, type: 'INT' });
  });

  it('does not take text after a semicolon as more rows', () => {
    expect(() => parseStatement('INSERT INTO t VALUES (1); , (2)')).toThrow(/one statement/);
  });
});
