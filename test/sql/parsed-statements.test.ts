import { describe, expect, it } from 'vitest';
import { parseStatement } from '../../src/sql/parse.js';
import { parsedStatements } from '../../src/sql/parsed-statements.js';

describe('statements parsed ahead of execution', () => {
  it('hands the tree classification parsed to the one execution of the same text', () => {
    const sql = 'INSERT INTO t VALUES (1, 2.5), (2, 3.5)';
    const remembered = parsedStatements.remember(sql);
    expect(parsedStatements.take(sql)).toBe(remembered);
    // Taken once: the next execution parses afresh, to an equal tree.
    const again = parsedStatements.take(sql);
    expect(again).not.toBe(remembered);
    expect(again).toEqual(parseStatement(sql));
  });

  it('keeps a bounded number of trees, dropping the oldest', () => {
    const first = parsedStatements.remember('SELECT 0');
    for (let i = 1; i <= 300; i++) parsedStatements.remember(`SELECT ${i}`);
    expect(parsedStatements.take('SELECT 0')).not.toBe(first);
    expect(parsedStatements.take('SELECT 300')).toEqual(parseStatement('SELECT 300'));
  });

  it('does not keep a tree for text that fails to parse', () => {
    expect(() => parsedStatements.remember('SELEC 1')).toThrow(/Parse error/);
    expect(() => parsedStatements.take('SELEC 1')).toThrow(/Parse error/);
  });

  it('parses a long statement nobody parsed ahead in steps, to the same tree', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `(${i}, ${i / 4})`).join(', ');
    const sql = `INSERT INTO t VALUES ${rows}`;
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    const tree = await parsedStatements.takeYielding(sql);
    clearInterval(ticker);
    expect(tree).toEqual(parseStatement(sql));
    expect(turns).toBeGreaterThan(0);
  });

  it('reports the failure of a long statement parsed ahead without parsing it again', async () => {
    const sql = `INSERT INTO t VALUES ${Array.from({ length: 20_000 }, (_, i) => `(${i}, ${i / 4})`).join(', ')}`;
    // Parsed ahead under a limit it is over; the limit is lifted before classification, so
    // only the failure kept from the parse ahead can make classification throw.
    process.env['CHRONOS_MAX_STATEMENT_BYTES'] = '1000';
    try {
      await parsedStatements.prepare(sql);
    } finally {
      delete process.env['CHRONOS_MAX_STATEMENT_BYTES'];
    }
    expect(() => parsedStatements.remember(sql)).toThrow(/over the limit of 1000/);
    // Reported once: the same text is parsed afresh the next time.
    expect(parsedStatements.remember(sql)).toMatchObject({ kind: 'insert' });
    parsedStatements.take(sql);
  });
});
