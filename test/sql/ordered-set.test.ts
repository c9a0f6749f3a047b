import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { expectError, expectInBothLayouts, newSession, rowsOf } from './support.js';

const TABLE = 'CREATE TABLE w (id INT PRIMARY KEY, g INT, v FLOAT)';
const ROWS = 'INSERT INTO w VALUES (1, 1, 1.5), (2, 1, 2.5), (3, 2, NULL), (4, 2, 4.0), (5, 1, 2.5), (6, 2, 7), (7, 1, 0)';

/** The answers by definition: the non-NULL values sorted, then PostgreSQL's rule for each. */
function reference(name: string, fraction: number, values: readonly number[], descending: boolean): number | null {
  const sorted = [...values].sort((a, b) => (descending ? b - a : a - b));
  const n = sorted.length;
  if (n === 0) return null;
  if (name === 'percentile_disc') return sorted[Math.max(1, Math.ceil(fraction * n)) - 1] as number;
  if (name === 'mode') {
    let best = sorted[0] as number;
    let count = 0;
    for (const v of sorted) {
      const c = sorted.filter((x) => x === v).length;
      if (c > count) [best, count] = [v, c];
    }
    return best;
  }
  const at = fraction * (n - 1);
  const lower = Math.floor(at);
  const first = sorted[lower] as number;
  return lower === Math.ceil(at) ? first : first + ((sorted[lower + 1] as number) - first) * (at - lower);
}

describe('percentile_cont, percentile_disc and mode WITHIN GROUP (ORDER BY ...)', () => {
  it('answer PostgreSQL 15\'s figures per group, in both layouts', async () => {
    await expectInBothLayouts(TABLE, ROWS,
      'SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY v), percentile_cont(0.9) WITHIN GROUP (ORDER BY v DESC), ' +
      'percentile_disc(0.5) WITHIN GROUP (ORDER BY v), percentile_disc(0) WITHIN GROUP (ORDER BY id DESC), mode() WITHIN GROUP (ORDER BY v), ' +
      'percentile_cont(0.25) WITHIN GROUP (ORDER BY id), percentile_disc(1) WITHIN GROUP (ORDER BY v) FROM w GROUP BY g ORDER BY g',
      [[1, 2, 0.44999999999999973, 1.5, 7, 2.5, 1.75, 2.5], [2, 5.5, 4.3, 4, 6, 4, 3.5, 7]]);
    await expectInBothLayouts(TABLE, ROWS,
      "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FILTER (WHERE id > 2), percentile_disc(0.5) WITHIN GROUP (ORDER BY 'x' || id), " +
      'percentile_cont(NULL) WITHIN GROUP (ORDER BY v), mode() WITHIN GROUP (ORDER BY v DESC) FROM w',
      [[3.25, 'x4', null, 2.5]]);
  });

  it('agree with their definitions over random groups (duplicates, NULLs, both directions)', async () => {
    const rng = new Random(20261206);
    const { session } = await newSession();
    await session.execute('CREATE TABLE r (id INT PRIMARY KEY, g INT, v FLOAT)');
    const values = new Map<number, number[]>();
    const rows: string[] = [];
    for (let id = 1; id <= 600; id++) {
      const g = rng.between(0, 29);
      const v = rng.chance(0.1) ? null : rng.between(-40, 40) / 4;
      rows.push(`(${id}, ${g}, ${v ?? 'NULL'})`);
      if (v !== null) values.set(g, [...(values.get(g) ?? []), v]);
    }
    await session.execute(`INSERT INTO r VALUES ${rows.join(', ')}`);
    for (let q = 0; q < 40; q++) {
      const name = rng.pick(['percentile_cont', 'percentile_disc', 'mode']);
      const fraction = rng.pick([0, 1, 0.5, 0.95, rng.between(0, 1000) / 1000]);
      const descending = rng.chance(0.5);
      const call = `${name}(${name === 'mode' ? '' : fraction}) WITHIN GROUP (ORDER BY v${descending ? ' DESC' : ''})`;
      const got = rowsOf(await session.execute(`SELECT g, ${call} FROM r GROUP BY g ORDER BY g`));
      const want = [...values.keys()].sort((a, b) => a - b).map((g) => [g, reference(name, fraction, values.get(g) ?? [], descending)]);
      expect(got, call).toEqual(want);
    }
  });

  it('refuse what PostgreSQL refuses, and what is not built, by name', async () => {
    const { session } = await newSession();
    await session.execute(TABLE);
    const cases: readonly (readonly [string, Parameters<typeof expectError>[2], string | RegExp])[] = [
      ['SELECT percentile_cont(2) WITHIN GROUP (ORDER BY v) FROM w', 'INVALID_ARGUMENT', 'percentile value 2 is not between 0 and 1'],
      ['SELECT percentile_cont(0.5) FROM w', 'INVALID_ARGUMENT', 'percentile_cont() needs WITHIN GROUP (ORDER BY ...), e.g. percentile_cont(0.95) WITHIN GROUP (ORDER BY temp)'],
      ["SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY 'x' || id) FROM w", 'TYPE_MISMATCH', /percentile_cont\(\) interpolates numbers, got STRING/],
      ["SELECT percentile_disc('a') WITHIN GROUP (ORDER BY v) FROM w", 'TYPE_MISMATCH', /fraction must be a number, got STRING/],
      ['SELECT percentile_cont(id / 10.0) WITHIN GROUP (ORDER BY v) FROM w', 'UNSUPPORTED', /fraction that is not a constant/],
      ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) OVER () FROM w', 'UNSUPPORTED', /percentile_cont\(\) as a window function/],
      ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v, id) FROM w', 'UNSUPPORTED', /more than one sort key/],
      ['SELECT mode(v) WITHIN GROUP (ORDER BY v) FROM w', 'INVALID_ARGUMENT', 'mode() takes no arguments; got 1 argument'],
      ['SELECT percentile_disc(DISTINCT 0.5) WITHIN GROUP (ORDER BY v) FROM w', 'UNSUPPORTED', /DISTINCT in percentile_disc\(\)/],
    ];
    for (const [sql, code, message] of cases) await expectError(session, sql, code, message);
  });
});
