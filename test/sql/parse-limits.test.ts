import { afterEach, describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import { isChronosError } from '../../src/lib/index.js';
import { parseStatement, parseWithoutFastPath } from '../../src/sql/parse.js';
import { MAX_STATEMENT_TOKENS } from '../../src/sql/parse-limits.js';
import { parseStatementYielding } from '../../src/sql/parse-yielding.js';
import { newSession, rowsOf } from './support.js';

async function failure(sql: string): Promise<unknown> {
  const { session } = await newSession();
  await session.execute('CREATE TABLE t (id INT PRIMARY KEY, v FLOAT)');
  return session.execute(sql).then(() => undefined, (e: unknown) => e);
}

describe('statement limits end in a clear error, never a stack overflow', () => {
  afterEach(() => { delete process.env['CHRONOS_MAX_STATEMENT_BYTES']; });

  it.each([
    ['800 nested parentheses', `SELECT ${'('.repeat(800)}1${')'.repeat(800)}`, /nests deeper than 200 levels/],
    ['800 nested NOTs', `SELECT id FROM t WHERE ${'NOT '.repeat(800)}id = 1`, /nests deeper than 200 levels/],
    ['800 nested unary minus', `SELECT ${'- '.repeat(800)}1`, /nests deeper than 200 levels/],
    ['800 nested calls', `SELECT ${'abs('.repeat(800)}1${')'.repeat(800)}`, /nests deeper than 200 levels/],
    ['a 1500-term + chain', `SELECT ${Array.from({ length: 1500 }, () => 'id').join(' + ')} FROM t`, /Expression nests deeper than 1000 levels/],
    ['a 1500-term chain in EXPLAIN', `EXPLAIN SELECT ${Array.from({ length: 1500 }, () => 'id').join(' + ')} FROM t`, /Expression nests deeper than 1000 levels/],
    ['a 1500-term chain in INSERT ... SELECT', `INSERT INTO t SELECT ${Array.from({ length: 1500 }, () => 'id').join(' + ')}, 1.5 FROM t`, /Expression nests deeper than 1000 levels/],
    ['a 1500-term chain in ON CONFLICT', `INSERT INTO t VALUES (1, 1.5) ON CONFLICT (id) DO UPDATE SET id = ${Array.from({ length: 1500 }, () => 't.id').join(' + ')}`, /Expression nests deeper than 1000 levels/],
  ])('%s', async (_name, sql, message) => {
    const error = await failure(sql);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('runs what is just inside the limits', async () => {
    const { session } = await newSession();
    expect(rowsOf(await session.execute(`SELECT ${'('.repeat(190)}1${')'.repeat(190)}`))).toEqual([[1]]);
    const mixed = `${'(1 + -(2 * abs('.repeat(45)}1${')))'.repeat(45)}`;
    expect(rowsOf(await session.execute(`SELECT ${mixed} IS NULL`))).toEqual([[false]]);
    const chain = Array.from({ length: 990 }, () => '1').join(' + ');
    expect(rowsOf(await session.execute(`SELECT ${chain}`))).toEqual([[990]]);
  });

  it('refuses a statement over CHRONOS_MAX_STATEMENT_BYTES before parsing it', async () => {
    process.env['CHRONOS_MAX_STATEMENT_BYTES'] = '100';
    const error = await failure(`INSERT INTO t VALUES ${Array.from({ length: 20 }, (_, i) => `(${i}, 1.5)`).join(', ')}`);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/^Statement is 2\d\d bytes, over the limit of 100 \(CHRONOS_MAX_STATEMENT_BYTES\)/);
    process.env['CHRONOS_MAX_STATEMENT_BYTES'] = 'lots';
    expect(() => parseStatement('SELECT 1')).toThrow(/CHRONOS_MAX_STATEMENT_BYTES must be a positive integer/);
  });

  it.each([
    ['SELECT 1e400', 'INVALID_ARGUMENT', 'Numeric literal 1e400 is out of the FLOAT (double) range'],
    ['INSERT INTO t VALUES (1, 1e400)', 'INVALID_ARGUMENT', 'Numeric literal 1e400 is out of the FLOAT (double) range'],
    ['INSERT INTO t VALUES (1, -1.5e999)', 'INVALID_ARGUMENT', 'Numeric literal 1.5e999 is out of the FLOAT (double) range'],
    ['INSERT INTO t VALUES (9223372036854775808, 1)', 'TYPE_MISMATCH', 'Integer literal 9223372036854775808 is out of the INT (int64) range'],
    ['SELECT 99999999999999999999', 'TYPE_MISMATCH', 'Integer literal 99999999999999999999 is out of the INT (int64) range'],
  ] as const)('%s', async (sql, code, message) => {
    const error = await failure(sql);
    expect(isChronosError(error, code), String(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });

  it('keeps the int64 extremes', async () => {
    const { session } = await newSession();
    expect(rowsOf(await session.execute('SELECT -9223372036854775808, 9223372036854775807, 1.7e308')))
      .toEqual([[-(2n ** 63n), 2n ** 63n - 1n, 1.7e308]]);
  });
});

// Generous bounds so a loaded machine never flakes; the measured figures go to `npm run bench`.
describe('parsing is linear in the statement', () => {
  it('parses a 100,000-item IN list and a 1000-row INSERT each well within a second', () => {
    const inList = `SELECT id FROM t WHERE id IN (${Array.from({ length: 100_000 }, (_, i) => i).join(', ')})`;
    const insert = `INSERT INTO t VALUES ${Array.from({ length: 1000 }, (_, i) => `(${i}, ${i}.5, 'device-${i}', -${i}, NULL)`).join(', ')}`;
    const timed = (parse: () => unknown): number => {
      let best = Infinity;
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        parse();
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const inMs = timed(() => parseStatement(inList));
    const insertMs = timed(() => parseStatement(insert));
    const insertGeneralMs = timed(() => parseWithoutFastPath(insert));
    const s = parseStatement(inList);
    expect(s.kind === 'select' && s.where?.kind === 'in' ? s.where.list.length : 0).toBe(100_000);
    expect(inMs).toBeLessThan(1000);
    expect(insertMs).toBeLessThan(1000);
    expect(insertGeneralMs).toBeLessThan(1000);
    process.stdout.write(`parse ms: IN(100k) ${inMs.toFixed(1)}, INSERT(1000) fast ${insertMs.toFixed(2)}, general ${insertGeneralMs.toFixed(2)}\n`);
  });
});

/** `SELECT count(*) FROM t WHERE id IN (0, 1, ...)` of exactly `tokens` tokens (odd, ≥ 13). */
function inListOfTokens(tokens: number): string {
  const items = (tokens - 11) / 2;
  return `SELECT count(*) FROM t WHERE id IN (${Array.from({ length: items }, (_, i) => i).join(',')})`;
}

describe('what one statement may hold: tokens, list items, set operands', () => {

  it(`parses just under ${MAX_STATEMENT_TOKENS} tokens and refuses just over, in one go or counted in steps`, async () => {
    expect(parseStatement(inListOfTokens(MAX_STATEMENT_TOKENS - 1)).kind).toBe('select');
    const over = inListOfTokens(MAX_STATEMENT_TOKENS + 1);
    const error = thrown(() => parseStatement(over));
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toBe(`Statement has more than ${MAX_STATEMENT_TOKENS} tokens; split it into several statements (a multi-row INSERT of plain literal values has no such limit)`);
    // Counted in steps, the event loop turns while a 4-million-token statement is refused.
    let turns = 0;
    const timer = setInterval(() => { turns += 1; }, 0);
    const stepped = await parseStatementYielding(inListOfTokens(4_000_001)).then(() => null, (e: unknown) => e);
    clearInterval(timer);
    expect(isChronosError(stepped, 'LIMIT_EXCEEDED'), String(stepped)).toBe(true);
    expect(turns).toBeGreaterThan(3);
  });

  it('lets a plain-literal INSERT past the token limit, not one that computes its values', async () => {
    const rows = Math.ceil(MAX_STATEMENT_TOKENS / 4);
    const plain = `INSERT INTO t VALUES ${Array.from({ length: rows }, (_, i) => `(${i}, 1.5)`).join(', ')}`;
    expect(await parseStatementYielding(plain)).toMatchObject({ kind: 'insert' });
    const computed = plain.replace('(0, 1.5)', '(0, abs(-1.5))');
    const error = await parseStatementYielding(computed).then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/only when every row of its VALUES holds plain literals/);
  });

  const list = (n: number, item: string, separator = ', '): string => Array.from({ length: n }, () => item).join(separator);
  it.each([
    ['a SELECT list', (n: number) => `SELECT ${list(n, 'id')} FROM t`, 1664, 'SELECT list has more than 1664 items'],
    ['a GROUP BY', (n: number) => `SELECT count(*) FROM t GROUP BY ${list(n, 'v')}`, 1664, 'GROUP BY has more than 1664 items'],
    ['an ORDER BY', (n: number) => `SELECT id FROM t ORDER BY ${list(n, 'v')}`, 1664, 'ORDER BY has more than 1664 items'],
    ['a window ORDER BY', (n: number) => `SELECT row_number() OVER (ORDER BY ${list(n, 'v')}) FROM t`, 1664, 'ORDER BY has more than 1664 items'],
    ['UNION ALL', (n: number) => list(n, 'SELECT 1', ' UNION ALL '), 1000, 'Query combines more than 1000 SELECTs with UNION, INTERSECT or EXCEPT; split it into several statements'],
    ['INTERSECT inside UNION', (n: number) => `SELECT 1 UNION ${list(n - 1, 'SELECT 1', ' INTERSECT ')}`, 1000, 'Query combines more than 1000 SELECTs with UNION, INTERSECT or EXCEPT; split it into several statements'],
  ] as const)('%s: its limit parses, one more is refused', async (_name, sql, limit, message) => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, v FLOAT)');
    await session.execute('INSERT INTO t VALUES (1, 1.5), (2, 2.5)');
    await expect(session.execute(sql(limit))).resolves.toMatchObject({ kind: 'rows' });
    const error = await session.execute(sql(limit + 1)).then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
