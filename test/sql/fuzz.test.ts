import { describe, expect, it } from 'vitest';
import { ChronosError, Random } from '../../src/lib/index.js';
import { newSession } from './support.js';

const SEEDS = [
  "SELECT id, count(*) FROM t WHERE v > 1.5 AND s LIKE 'a%' GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
  "INSERT INTO t (id, v, s) VALUES (1, 2.5, 'x'), (2, -3, NULL)",
  "UPDATE t SET v = v * 2, s = 'y' WHERE id IN (1, 2) OR s IS NULL",
  'DELETE FROM t WHERE id BETWEEN 1 AND 5',
  'CREATE TABLE q (a INT PRIMARY KEY, b TEXT NOT NULL) WITH TTL=7d',
  "SELECT t.id, u.w FROM t JOIN u USING (id) WHERE NOT (t.v = 0) OFFSET 1",
  "SELECT time_bucket('1m', id), avg_1h(v) FROM t GROUP BY 1 HAVING avg_1h(v) > 0",
];
const PIECES = ['(', ')', ',', "'", '"', '-', '*', ' SELECT ', ' FROM ', ' WHERE ', ' NULL ', '9223372036854775808', '1e999', ';', ' AND ', '.', ' ORDER BY ', '=', 'é', '\u0000', '/*', '--'];

describe('mutated SQL always ends in a ChronosError or a result', () => {
  it('for 1500 mutations', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, v FLOAT, s STRING)');
    await session.execute('CREATE TABLE u (id INT, w INT)');
    const rng = new Random(77);
    let errors = 0;
    for (let i = 0; i < 1500; i++) {
      let sql = rng.pick(SEEDS);
      for (let m = rng.between(1, 3); m > 0; m--) {
        const at = rng.int(sql.length + 1);
        const cut = rng.chance(0.5) ? rng.between(0, 4) : 0;
        const insert = rng.chance(0.6) ? rng.pick(PIECES) : '';
        sql = sql.slice(0, at) + insert + sql.slice(at + cut);
      }
      try {
        const r = await session.execute(sql);
        expect(['rows', 'message']).toContain(r.kind);
      } catch (e) {
        errors++;
        expect(e, sql).toBeInstanceOf(ChronosError);
        expect((e as Error).message.length, sql).toBeGreaterThan(8);
      }
    }
    expect(errors).toBeGreaterThan(300);
  });
});
