import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { expectError, newSession, rowsOf } from './support.js';

describe('first(value, by) and last(value, by)', () => {
  it.each([
    ['SELECT dev, first(v, ts), last(v, ts) FROM r GROUP BY dev ORDER BY dev', [['a', 1.5, null], ['b', 7, 4]]],
    // NULL `by` rows are skipped; a NULL value is an answer like any other.
    ['SELECT first(v, n), last(v, n) FROM r', [[2.5, 4]]],
    ['SELECT last(ts, ts), first(dev, ts), last(dev, -ts) FROM r', [[5, 'a', 'a']]],
    ["SELECT first(v, ts) FROM r WHERE dev = 'z'", [[null]]],
    ['SELECT dev, last(v, ts) - first(v, ts) FROM r GROUP BY dev HAVING last(ts, ts) > 3', [['b', -3]]],
  ] as const)('%s', async (sql, expected) => {
    for (const layout of ['row', 'columnar']) {
      const { session } = await newSession();
      await session.execute(`CREATE TABLE r (dev STRING, ts INT, v FLOAT, n INT, PRIMARY KEY (dev, ts)) WITH (layout = '${layout}')`);
      await session.execute("INSERT INTO r VALUES ('a', 1, 1.5, 7), ('a', 3, NULL, NULL), ('a', 2, 2.5, 1), ('b', 5, 4, 9), ('b', 4, 7, NULL)");
      expect(rowsOf(await session.execute(sql)), layout).toEqual(expected);
    }
  });

  it.each([
    ['SELECT first(v) FROM r', 'INVALID_ARGUMENT', /first\(\) takes a value and what orders it, e\.g\. first\(temp, ts\); got 1 argument/],
    ['SELECT last(v, ts, dev) FROM r', 'INVALID_ARGUMENT', /got 3 arguments/],
    ['SELECT first(DISTINCT v, ts) FROM r', 'UNSUPPORTED', /DISTINCT in first\(\)/],
    ['SELECT first(v, ts) OVER () FROM r', 'UNSUPPORTED', /first\(\) as a window function/],
    ['SELECT last(v, max(ts)) FROM r', 'INVALID_ARGUMENT', /cannot be nested/],
    ['SELECT dev FROM r WHERE first(v, ts) > 1', 'INVALID_ARGUMENT', /not allowed in WHERE/],
  ] as const)('refuses %s', async (sql, code, message) => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE r (dev STRING, ts INT, v FLOAT, PRIMARY KEY (dev, ts))');
    await expectError(session, sql, code, message);
  });

  it('answers the same on both layouts and in any insertion order, ties included, as a model says', async () => {
    const rng = new Random(7);
    const rows = Array.from({ length: 400 }, (_, id) => ({
      id, g: rng.between(0, 5), t: rng.chance(0.1) ? null : rng.between(0, 40), v: rng.chance(0.15) ? null : rng.between(-9, 9),
    }));
    const model = (g: number, sign: 1 | -1): number | null => {
      let best: { t: number; v: number | null } | null = null;
      for (const r of rows) {
        if (r.g !== g || r.t === null) continue;
        const order = best === null ? 1 : Math.sign(r.t - best.t) * sign;
        const lessValue = r.v !== null && (best?.v === null || r.v < (best?.v ?? Infinity));
        if (order > 0 || (order === 0 && lessValue)) best = { t: r.t, v: r.v };
      }
      return best?.v ?? null;
    };
    const expected = [0, 1, 2, 3, 4, 5].map((g) => [g, model(g, -1), model(g, 1)]);
    for (const layout of ['row', 'columnar']) {
      const { session } = await newSession(undefined, { blockRows: 8, headEntriesMax: 10, newTables: 'row' });
      await session.execute(`CREATE TABLE q (id INT PRIMARY KEY, g INT, t INT, v INT) WITH (layout = '${layout}')`);
      const shuffled = [...rows].sort(() => (rng.chance(0.5) ? 1 : -1));
      for (let at = 0; at < shuffled.length; at += 50) {
        const values = shuffled.slice(at, at + 50).map((r) => `(${r.id}, ${r.g}, ${r.t ?? 'NULL'}, ${r.v ?? 'NULL'})`);
        await session.execute(`INSERT INTO q VALUES ${values.join(', ')}`);
      }
      await session.execute('UPDATE q SET v = v WHERE id % 7 = 0');
      expect(rowsOf(await session.execute('SELECT g, first(v, t), last(v, t) FROM q GROUP BY g ORDER BY g')), layout).toEqual(expected);
    }
  });
});
