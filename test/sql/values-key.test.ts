import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { newSession, rowsOf } from './support.js';

// Strings built from a NUL, type tags and colons: when a row's values were joined into one text
// with NUL between them, ('x<NUL>string:y', 'z') and ('x', 'y<NUL>string:z') read alike, and
// DISTINCT, GROUP BY, set operations, DISTINCT ON and window partitions took them as one.
const PIECES = ['a', '\u0000', 'string:', 's1:', ':', ''];

function pieceString(rng: Random): string {
  return Array.from({ length: rng.between(0, 3) }, () => rng.pick(PIECES)).join('');
}

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

describe('rows equal only when their values are', () => {
  it('DISTINCT, GROUP BY, UNION, DISTINCT ON and PARTITION BY over strings with NULs and tags', async () => {
    const rng = new Random(20261206);
    for (let round = 0; round < 20; round++) {
      const { session } = await newSession();
      const rows: (readonly [string, string])[] = Array.from({ length: 20 }, () => [pieceString(rng), pieceString(rng)] as const);
      // Pairs that one joined text would not tell apart: (u<NUL>string:v, w) and (u, v<NUL>string:w).
      for (let k = 0; k < 5; k++) {
        const [u, v, w] = [pieceString(rng), pieceString(rng), pieceString(rng)];
        rows.push([`${u}\u0000string:${v}`, w], [u, `${v}\u0000string:${w}`]);
      }
      await session.execute('CREATE TABLE p (id INT PRIMARY KEY, a STRING, b STRING)');
      await session.execute(`INSERT INTO p VALUES ${rows.map(([a, b], i) => `(${i}, ${literal(a)}, ${literal(b)})`).join(', ')}`);
      const distinct = new Set(rows.map((r) => JSON.stringify(r))).size;
      const count = async (sql: string): Promise<number> => rowsOf(await session.execute(sql)).length;
      expect(await count('SELECT DISTINCT a, b FROM p')).toBe(distinct);
      expect(await count('SELECT a, b, count(*) FROM p GROUP BY a, b')).toBe(distinct);
      expect(await count('SELECT a, b FROM p UNION SELECT a, b FROM p')).toBe(distinct);
      expect(await count('SELECT DISTINCT ON (a, b) a, b FROM p ORDER BY a, b')).toBe(distinct);
      const partitions = rowsOf(await session.execute('SELECT count(*) OVER (PARTITION BY a, b) FROM p'));
      const sizes = new Map<string, number>();
      for (const r of rows) sizes.set(JSON.stringify(r), (sizes.get(JSON.stringify(r)) ?? 0) + 1);
      expect(partitions.map((r) => Number(r[0])).sort()).toEqual(rows.map((r) => sizes.get(JSON.stringify(r))).sort());
      expect(await count('SELECT x.id FROM p x JOIN p y ON x.a = y.a AND x.b = y.b'))
        .toBe([...sizes.values()].reduce((sum, n) => sum + n * n, 0));
    }
  });
});
