import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { newSession } from './support.js';

const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;

/** Bases and exponents around the special cases: ±1, |x| either side of 1, 0, the infinities. */
const POOL = ['-8', '-2', '-1', '-0.5', '0', '0.5', '1', '2', '3', '-3', '2.5', '-0.5', 'Infinity', '-Infinity'];
const sqliteText = (v: string): string => (v === 'Infinity' ? '9e999' : v === '-Infinity' ? '-9e999' : v);
const ours = (v: string): string => (v.endsWith('Infinity') ? `CAST('${v}' AS FLOAT)` : `CAST(${v} AS FLOAT)`);

/** sqlite3's answer as a number: its pow() is C's pow (POSIX), as PostgreSQL's float8 power. */
function sqliteNumber(text: string): number {
  if (text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * power() over drawn pairs of special values against sqlite3's C pow. Where PostgreSQL refuses
 * (0 to a negative power; a negative base to a finite non-integer power) we must refuse too;
 * everywhere else the numbers must agree (-0 reads as 0).
 */
describe('power() against C pow', () => {
  it.skipIf(!hasSqlite)('agrees on 300 drawn pairs of special values', async () => {
    const { session } = await newSession();
    const random = new Random(7070);
    const pairs = Array.from({ length: 300 }, () => [random.pick(POOL), random.pick(POOL)] as const);
    const sql = pairs.map(([x, y]) => `SELECT pow(${sqliteText(x)}, ${sqliteText(y)});`).join('\n');
    const answers = execFileSync('sqlite3', [':memory:'], { input: sql, encoding: 'utf8' }).split('\n');
    for (const [at, [x, y]] of pairs.entries()) {
      const [bx, by] = [Number(x), Number(y)];
      const refused = (bx === 0 && by < 0) || (bx < 0 && Number.isFinite(by) && !Number.isInteger(by));
      const query = `SELECT power(${ours(x)}, ${ours(y)})`;
      const result = await session.execute(query).then((r) => (r.kind === 'rows' ? r.rows[0]?.[0] : r), (error: unknown) => error);
      if (refused) {
        expect(result, query).toBeInstanceOf(Error);
        continue;
      }
      const expected = sqliteNumber(answers[at] as string) + 0;
      const what = `${query} (sqlite3: ${answers[at]})`;
      // sqlite3 prints 15 significant digits.
      if (Number.isFinite(expected)) expect(Math.abs((result as number) - expected), what).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
      else expect(result, what).toBe(expected);
    }
  });
});
