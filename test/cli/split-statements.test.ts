import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { splitStatements } from '../../src/sql/split-statements.js';
import type { SplitResult, TextPosition } from '../../src/sql/split-statements.js';

/**
 * The splitting rules walked one character at a time, as the first version did: the reference
 * the regex-skipping splitter must equal on any text.
 */
function splitByCharacters(text: string): SplitResult {
  const statements: string[] = [];
  const starts: TextPosition[] = [];
  let current = '';
  let line = 1;
  let start = -1;
  let restOffset = 0;
  const result = (open: SplitResult['open'], openLine: number, rest: string): SplitResult =>
    ({ statements, rest: rest.trim(), open, openLine, starts, restOffset });
  for (let i = 0; i < text.length;) {
    const c = text[i] as string;
    if (start === -1 && !/\s/.test(c) && !text.startsWith('--', i) && !text.startsWith('/*', i) && c !== ';') start = i;
    if (c === "'" || c === '"' || c === '`') {
      let end = i + 1;
      for (; end < text.length; end += 1) {
        if (text[end] !== c) continue;
        if (text[end + 1] === c) { end += 1; continue; }
        break;
      }
      if (end >= text.length) {
        return result(c === "'" ? 'string' : 'identifier', line, current + text.slice(i));
      }
      const quoted = text.slice(i, end + 1);
      line += quoted.split('\n').length - 1;
      current += quoted;
      i = end + 1;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return result('comment', line, current + text.slice(i));
      line += text.slice(i, end).split('\n').length - 1;
      current += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else if (c === ';') {
      if (current.trim() !== '') {
        statements.push(current.trim());
        starts.push(positionAt(text, start));
      }
      current = '';
      start = -1;
      i += 1;
      restOffset = i;
    } else {
      if (c === '\n') line += 1;
      current += c;
      i += 1;
    }
  }
  return result(null, 0, current);
}

/** The 1-based line and column of `offset` in `text`. */
function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** The offset in `text` of `inner`, a position counted from `start`. */
function offsetIn(text: string, start: TextPosition, inner: TextPosition): number {
  const line = start.line + inner.line - 1;
  const column = inner.line === 1 ? start.column + inner.column - 1 : inner.column;
  let offset = 0;
  for (let l = 1; l < line; l += 1) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

const FRAGMENTS = ["'", '"', '`', "''", ';', '--', '-', '/', '*', '/*', '*/', '\n', ' ', 'a', 'SELECT 1', 'x;y', '\n--c\n'];

describe('splitStatements', () => {
  const cases: { name: string; text: string; statements: string[]; rest: string }[] = [
    { name: 'one statement', text: 'SELECT 1;', statements: ['SELECT 1'], rest: '' },
    { name: 'no trailing ;', text: 'SELECT 1', statements: [], rest: 'SELECT 1' },
    {
      name: 'two on a line', text: 'SELECT 1; SELECT 2;',
      statements: ['SELECT 1', 'SELECT 2'], rest: '',
    },
    {
      name: 'empty statements dropped', text: ' ; ;;\n;SELECT 1;;',
      statements: ['SELECT 1'], rest: '',
    },
    {
      name: '; inside a string',
      text: "INSERT INTO t VALUES ('a;b');",
      statements: ["INSERT INTO t VALUES ('a;b')"], rest: '',
    },
    {
      name: "doubled '' escape",
      text: "SELECT 'it''s; fine'; SELECT 2;",
      statements: ["SELECT 'it''s; fine'", 'SELECT 2'], rest: '',
    },
    {
      name: 'double-quoted and backtick identifiers',
      text: 'SELECT "a;b", `c;d` FROM t;',
      statements: ['SELECT "a;b", `c;d` FROM t'], rest: '',
    },
    {
      name: 'line comment with ; removed',
      text: 'SELECT 1 -- not; here\n+ 2;',
      statements: ['SELECT 1 \n+ 2'], rest: '',
    },
    {
      name: 'block comment with ; becomes blanks of its length',
      text: 'SELECT/* x; y */1;',
      statements: [`SELECT${' '.repeat(10)}1`], rest: '',
    },
    { name: 'comment-only input', text: '-- nothing\n/* at all */', statements: [], rest: '' },
    {
      name: 'comment markers inside strings stay', text: "SELECT '--x', '/*y*/';",
      statements: ["SELECT '--x', '/*y*/'"], rest: '',
    },
    {
      name: 'multi-line statement',
      text: 'CREATE TABLE t (\n  id INT,\n  v FLOAT\n);\nINSERT',
      statements: ['CREATE TABLE t (\n  id INT,\n  v FLOAT\n)'], rest: 'INSERT',
    },
    {
      name: 'a trailing line comment without newline', text: 'SELECT 1; -- bye',
      statements: ['SELECT 1'], rest: '',
    },
    { name: 'empty string literal', text: "SELECT '';", statements: ["SELECT ''"], rest: '' },
    { name: 'unicode', text: "SELECT '日本;語';", statements: ["SELECT '日本;語'"], rest: '' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const split = splitStatements(c.text);
      expect(split.statements).toEqual(c.statements);
      expect(split.rest).toBe(c.rest);
      expect(split.open).toBeNull();
    });
  }

  it('reports an unterminated string and its line', () => {
    const split = splitStatements("SELECT 1;\nSELECT\n'abc;");
    expect(split.statements).toEqual(['SELECT 1']);
    expect(split.open).toBe('string');
    expect(split.openLine).toBe(3);
    expect(split.rest).toBe("SELECT\n'abc;");
  });

  it('reports an unterminated block comment and keeps it for the next read', () => {
    const split = splitStatements('SELECT 1 /* open;');
    expect(split.open).toBe('comment');
    expect(split.openLine).toBe(1);
    const again = splitStatements(`${split.rest}\nstill */ + 1;`);
    expect(again.statements).toEqual([`SELECT 1 ${' '.repeat(8)}\n${' '.repeat(8)} + 1`]);
    expect(again.open).toBeNull();
  });

  it('an unterminated identifier', () => {
    expect(splitStatements('SELECT "abc').open).toBe('identifier');
  });

  it('splits 3,000 drawn texts as the character-at-a-time rules do', () => {
    const rng = new Random(7_301);
    for (let n = 0; n < 3_000; n += 1) {
      const text = Array.from({ length: rng.between(0, 30) }, () => FRAGMENTS[rng.int(FRAGMENTS.length)]).join('');
      expect(splitStatements(text), JSON.stringify(text)).toEqual(splitByCharacters(text));
    }
  });

  it('a position in a drawn statement, counted from its start, is the same character in the text', () => {
    const rng = new Random(7_303);
    const pieces = [...FRAGMENTS, 'SELECT a\n  FROM t', '/* two\nlines */', "'x\ny'", '  ', '\n\n'];
    let checked = 0;
    for (let n = 0; n < 2_000; n += 1) {
      const text = Array.from({ length: rng.between(0, 30) }, () => pieces[rng.int(pieces.length)]).join('');
      const split = splitStatements(text);
      split.statements.forEach((statement, i) => {
        const start = split.starts[i] as TextPosition;
        for (let k = 0; k < statement.length; k += 1) {
          if (/\s/.test(statement[k] as string)) continue;
          const before = statement.slice(0, k);
          const inner = { line: before.split('\n').length, column: k - before.lastIndexOf('\n') };
          expect(text[offsetIn(text, start, inner)], `${JSON.stringify(text)} statement ${i} at ${k}`).toBe(statement[k]);
          checked += 1;
        }
      });
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it('counts lines across strings and comments', () => {
    const split = splitStatements("SELECT 'a\nb';\n/* c\nd */\n-- e\nSELECT 'open");
    expect(split.open).toBe('string');
    expect(split.openLine).toBe(6);
  });
});
