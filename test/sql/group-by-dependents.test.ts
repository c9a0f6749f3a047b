import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import type { Session } from '../../src/sql/session.js';
import { newSession, rowsOf, run } from './support.js';

/** A column as a query may name it, and the table (qualifier) it belongs to. */
interface ColumnRef { readonly sql: string; readonly owner: string; readonly name: string }

/** One FROM of the generator: its columns, and the primary key of each table in it (none: no key). */
interface From { readonly sql: string; readonly columns: readonly ColumnRef[]; readonly keys: Readonly<Record<string, readonly string[]>> }

const col = (sql: string, owner: string, name = sql.split('.').pop() as string): ColumnRef => ({ sql, owner, name });
const FROMS: readonly From[] = [
  { sql: 'g', columns: [col('id', 'g'), col('v', 'g'), col('s', 'g'), col('g.v', 'g'), col('g.id', 'g')], keys: { g: ['id'] } },
  { sql: 'g x', columns: [col('id', 'x'), col('v', 'x'), col('x.s', 'x')], keys: { x: ['id'] } },
  { sql: 'h', columns: [col('a', 'h'), col('b', 'h'), col('w', 'h'), col('h.w', 'h')], keys: { h: ['a', 'b'] } },
  {
    sql: 'g JOIN h ON g.id = h.a',
    columns: [col('id', 'g'), col('v', 'g'), col('s', 'g'), col('a', 'h'), col('b', 'h'), col('w', 'h'), col('h.a', 'h')],
    keys: { g: ['id'], h: ['a', 'b'] },
  },
  {
    sql: 'g LEFT JOIN h ON g.id = h.a',
    columns: [col('g.id', 'g'), col('s', 'g'), col('a', 'h'), col('b', 'h'), col('w', 'h')],
    keys: { g: ['id'], h: ['a', 'b'] },
  },
  { sql: 'h JOIN n ON h.a = n.k', columns: [col('a', 'h'), col('b', 'h'), col('w', 'h'), col('k', 'n'), col('z', 'n')], keys: { h: ['a', 'b'], n: [] } },
  { sql: '(SELECT * FROM g) d', columns: [col('id', 'd'), col('v', 'd'), col('d.s', 'd')], keys: { d: [] } },
];

type Item = { readonly kind: 'column'; readonly ref: ColumnRef } | { readonly kind: 'count' } | { readonly kind: 'constant' };
const itemSql = (item: Item): string => (item.kind === 'column' ? item.ref.sql : item.kind === 'count' ? 'count(*)' : '1');
const refKey = (ref: ColumnRef): string => `${ref.owner}.${ref.name}`;

/**
 * What PostgreSQL 15 does with a drawn query: the error it raises, or null when it answers. A
 * position names a select item; `+1` and `1 + 1` are expressions of constants (no position).
 */
function expectedError(from: From, items: readonly Item[], groupBy: readonly string[]): string | null {
  const named = groupBy.map((g) => (/^\d$/.test(g) ? items[Number(g) - 1] ?? null : undefined));
  // Every position is read before any is checked for an aggregate.
  if (named.includes(null)) return 'is not in the select list';
  if (named.some((item) => item?.kind === 'count')) return 'Aggregates are not allowed in GROUP BY';
  const keys = new Set<string>();
  groupBy.forEach((g, i) => {
    const item = named[i];
    const ref = item === undefined ? from.columns.find((c) => c.sql === g) : item?.kind === 'column' ? item.ref : undefined;
    if (ref !== undefined) keys.add(refKey(ref));
  });
  const determined = (owner: string): boolean => {
    const key = from.keys[owner] ?? [];
    return key.length > 0 && key.every((name) => keys.has(`${owner}.${name}`));
  };
  const loose = items.some((item) => item.kind === 'column' && !keys.has(refKey(item.ref)) && !determined(item.ref.owner));
  return loose ? 'must appear in GROUP BY' : null;
}

async function sortedRows(session: Session, sql: string): Promise<string[]> {
  return rowsOf(await session.execute(sql)).map((row) => JSON.stringify(row)).sort();
}

describe('GROUP BY and the columns a grouped primary key determines', () => {
  it('answers or refuses 400 drawn queries as PostgreSQL 15 does, each answer the same as with its columns grouped', async () => {
    const { session } = await newSession();
    await run(session,
      'CREATE TABLE g (id INT PRIMARY KEY, v FLOAT, s STRING)', "INSERT INTO g VALUES (1, 2.5, 'x'), (2, 1.5, 'y'), (3, 2.5, 'x')",
      'CREATE TABLE h (a INT, b INT, w STRING, PRIMARY KEY (a, b))', "INSERT INTO h VALUES (1, 1, 'p'), (1, 2, 'q'), (2, 1, 'p'), (3, 3, NULL)",
      'CREATE TABLE n (k INT, z STRING)', "INSERT INTO n VALUES (1, 'u'), (1, 'v'), (2, 'u')");
    const random = new Random(2718);
    let answered = 0;
    for (let round = 0; round < 400; round++) {
      const from = random.pick(FROMS);
      const items: Item[] = Array.from({ length: random.between(1, 3) }, () => {
        const draw = random.between(0, 5);
        return draw === 0 ? { kind: 'count' } : draw === 1 ? { kind: 'constant' } : { kind: 'column', ref: random.pick(from.columns) };
      });
      const groupBy = Array.from({ length: random.between(1, 3) }, () =>
        random.pick([...from.columns.map((c) => c.sql), '1', '2', '+1', '1 + 1']));
      const sql = `SELECT ${items.map(itemSql).join(', ')} FROM ${from.sql} GROUP BY ${groupBy.join(', ')}`;
      const expected = expectedError(from, items, groupBy);
      if (expected !== null) {
        await expect(session.execute(sql), sql).rejects.toThrow(expected);
        continue;
      }
      // Grouping by the determined columns too splits no group: the same rows come back.
      const columns = items.flatMap((item) => (item.kind === 'column' ? [item.ref.sql] : []));
      const explicit = `${sql}${columns.length === 0 ? '' : `, ${columns.join(', ')}`}`;
      expect(await sortedRows(session, sql), sql).toEqual(await sortedRows(session, explicit));
      answered += 1;
    }
    expect(answered).toBeGreaterThan(100);
  });

  it('reads determined columns in HAVING and ORDER BY too, and refuses them without the whole key', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE m (a INT, b INT, w STRING, PRIMARY KEY (a, b))',
      "INSERT INTO m VALUES (1, 1, 'p'), (1, 2, 'q'), (2, 1, 'r')");
    expect(rowsOf(await run(session, "SELECT a, b, count(*) FROM m GROUP BY a, b HAVING w <> 'q' ORDER BY w DESC")))
      .toEqual([[2, 1, 1], [1, 1, 1]]);
    await expect(session.execute('SELECT a, w FROM m GROUP BY a')).rejects.toThrow('Column w must appear in GROUP BY');
    // `+1` is an expression, not a position: it groups nothing, so `count(*)` is not grouped by.
    expect(rowsOf(await run(session, 'SELECT count(*) FROM m GROUP BY +1'))).toEqual([[3]]);
    await expect(session.execute('SELECT w FROM m GROUP BY +1')).rejects.toThrow('Column w must appear in GROUP BY');
  });

  it('makes one group of every row when HAVING comes without GROUP BY, as PostgreSQL does', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE q (id INT PRIMARY KEY, v FLOAT)', 'INSERT INTO q VALUES (1, 2.5), (2, 1.5)', 'CREATE TABLE empty (id INT PRIMARY KEY)');
    for (const [sql, rows] of [
      ['SELECT 1 FROM q HAVING 1 > 0', [[1]]], ['SELECT 1 FROM q HAVING false', []], ['SELECT 1 FROM empty HAVING true', [[1]]],
      ['SELECT count(*) FROM empty HAVING true', [[0]]], ['SELECT 1 AS a FROM q HAVING max(v) > 2', [[1]]],
      ['SELECT DISTINCT 1 FROM q HAVING true', [[1]]], ['SELECT 1 FROM q HAVING NULL', []],
    ] as const) expect(rowsOf(await run(session, sql)), sql).toEqual(rows);
    await expect(session.execute('SELECT v FROM q HAVING true')).rejects.toThrow('Column v must appear in GROUP BY');
  });
});
