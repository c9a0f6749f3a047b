import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';

// sqlite3 3.40's answers for the same tables.
async function fixture() {
  const { session } = await newSession();
  for (const sql of [
    'CREATE TABLE a (id INT PRIMARY KEY, g INT, x STRING)',
    'CREATE TABLE b (id INT PRIMARY KEY, g INT, y STRING)',
    'CREATE TABLE c (id INT PRIMARY KEY, g INT, z STRING)',
    "INSERT INTO a VALUES (1, 1, 'a1'), (2, 2, 'a2'), (3, NULL, 'a3'), (4, 4, 'a4')",
    "INSERT INTO b VALUES (1, 1, 'b1'), (2, 1, 'b2'), (3, 3, 'b3'), (4, NULL, 'b4')",
    "INSERT INTO c VALUES (1, 3, 'c3'), (2, 5, 'c5'), (3, 1, 'c1')",
  ]) await session.execute(sql);
  return session;
}

describe('RIGHT and FULL joins', () => {
  it.each([
    ['SELECT a.id, a.x, b.id, b.y FROM a RIGHT JOIN b ON a.g = b.g ORDER BY b.id, a.id',
      [[1, 'a1', 1, 'b1'], [1, 'a1', 2, 'b2'], [null, null, 3, 'b3'], [null, null, 4, 'b4']]],
    ['SELECT a.id, b.id FROM a FULL OUTER JOIN b ON a.g = b.g ORDER BY a.id NULLS LAST, b.id NULLS LAST',
      [[1, 1], [1, 2], [2, null], [3, null], [4, null], [null, 3], [null, 4]]],
    // Unmatched rows of b go on through the FULL join with c, and c's own unmatched rows follow.
    ['SELECT a.x, b.y, c.z FROM a RIGHT JOIN b ON a.g = b.g FULL JOIN c ON c.g = b.g ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST',
      [['a1', 'b1', 'c1'], ['a1', 'b2', 'c1'], [null, 'b3', 'c3'], [null, 'b4', null], [null, null, 'c5']]],
    ['SELECT a.x, b.y, c.z FROM a LEFT JOIN b ON a.g = b.g RIGHT JOIN c ON c.g = a.g ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST',
      [['a1', 'b1', 'c1'], ['a1', 'b2', 'c1'], [null, null, 'c3'], [null, null, 'c5']]],
    // ON decides matches, WHERE filters the joined rows afterwards (a read of part of a by its key too).
    ["SELECT a.x, b.y FROM a FULL JOIN b ON a.g = b.g AND b.y > 'b1' WHERE a.id < 3 OR a.id IS NULL ORDER BY 1 NULLS LAST, 2 NULLS LAST",
      [['a1', 'b2'], ['a2', null], [null, 'b1'], [null, 'b3'], [null, 'b4']]],
    ['SELECT a.id, b.id FROM a RIGHT JOIN b ON a.g = b.g WHERE a.id = 1 ORDER BY 2', [[1, 1], [1, 2]]],
    ['SELECT count(*), count(a.id), count(b.id) FROM a FULL JOIN b ON a.g < b.g', [[7, 4, 5]]],
    ['SELECT b.g, count(a.id) FROM a RIGHT JOIN b ON a.g = b.g GROUP BY b.g ORDER BY 1 NULLS FIRST', [[null, 0], [1, 2], [3, 0]]],
    ['SELECT a.id, b.id FROM a RIGHT JOIN b ON false ORDER BY 2', [[null, 1], [null, 2], [null, 3], [null, 4]]],
    // The first table aliased, the second the same table by its name: WHERE on the second must
    // not narrow the first's scan (it once became a key lookup on x, and matches went missing).
    ['SELECT x.id, a.id FROM a x RIGHT JOIN a ON x.g < a.g WHERE a.id = 4 ORDER BY 1', [[1, 4], [2, 4]]],
    ['SELECT x.id, a.id FROM a x JOIN a ON x.g <= a.g WHERE a.id = 2 ORDER BY 1', [[1, 2], [2, 2]]],
    ['SELECT a.id, b.id, c.id FROM a CROSS JOIN b RIGHT JOIN c ON c.g = b.g WHERE a.id = 1 OR a.id IS NULL ORDER BY 3, 2',
      [[1, 3, 1], [null, null, 2], [1, 1, 3], [1, 2, 3]]],
  ] as const)('%s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  it.each([
    // a and b share id and g: NATURAL is USING (id, g); a and c share them too.
    ['SELECT id, g, x, y FROM a NATURAL JOIN b', [[1, 1, 'a1', 'b1']]],
    ['SELECT * FROM a NATURAL JOIN b', [[1, 1, 'a1', 'b1']]],
    ['SELECT id, g, x, y FROM a NATURAL LEFT JOIN b ORDER BY id', [[1, 1, 'a1', 'b1'], [2, 2, 'a2', null], [3, null, 'a3', null], [4, 4, 'a4', null]]],
    ['SELECT x, w FROM a NATURAL JOIN (SELECT 7 AS w) d ORDER BY x', [['a1', 7], ['a2', 7], ['a3', 7], ['a4', 7]]],
  ] as const)('NATURAL: %s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  // The one column of USING is a coalesce of both sides after FULL, the joined table's after
  // RIGHT: unqualified, under `*` (where its first copy is) and in WHERE and GROUP BY.
  it.each([
    ['SELECT g, a.x, b.y FROM a FULL JOIN b USING (g) ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST',
      [[1, 'a1', 'b1'], [1, 'a1', 'b2'], [2, 'a2', null], [3, null, 'b3'], [4, 'a4', null], [null, 'a3', null], [null, null, 'b4']]],
    ['SELECT g, a.g, b.g FROM a RIGHT JOIN b USING (g) ORDER BY b.id', [[1, 1, 1], [1, 1, 1], [3, null, 3], [null, null, null]]],
    ['SELECT * FROM a NATURAL FULL JOIN b ORDER BY id, g NULLS LAST',
      [[1, 1, 'a1', 'b1'], [2, 1, null, 'b2'], [2, 2, 'a2', null], [3, 3, null, 'b3'], [3, null, 'a3', null], [4, 4, 'a4', null], [4, null, null, 'b4']]],
    ['SELECT g, x, y, z FROM a FULL JOIN b USING (g) FULL JOIN c USING (g) ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST, 4 NULLS LAST',
      [[1, 'a1', 'b1', 'c1'], [1, 'a1', 'b2', 'c1'], [2, 'a2', null, null], [3, null, 'b3', 'c3'], [4, 'a4', null, null], [5, null, null, 'c5'],
        [null, 'a3', null, null], [null, null, 'b4', null]]],
    ['SELECT g, count(*) FROM a FULL JOIN b USING (g) WHERE g > 1 OR g IS NULL GROUP BY g ORDER BY 1 NULLS FIRST', [[null, 2], [2, 1], [3, 1], [4, 1]]],
    // ORDER BY an output's name sorts by that output, though a USING column has the name too.
    ['SELECT a.x AS g FROM a FULL JOIN b USING (g) WHERE a.id IS NOT NULL ORDER BY g DESC', [['a4'], ['a3'], ['a2'], ['a1'], ['a1']]],
    // ...and so does a name that a qualified * outputs.
    ['SELECT b.* FROM a FULL JOIN b USING (g) WHERE b.id > 2 ORDER BY g DESC, id', [[4, null, 'b4'], [3, 3, 'b3']]],
  ] as const)('USING: %s', async (sql, expected) => {
    expect(rowsOf(await (await fixture()).execute(sql))).toEqual(expected);
  });

  it('NATURAL refuses ON and USING, and names a column shared twice before it', async () => {
    const session = await fixture();
    // A name the USING column shares with a later table is ambiguous, as in PostgreSQL.
    await expectError(session, 'SELECT count(*) FROM a FULL JOIN b USING (g) CROSS JOIN c WHERE g = 3', 'AMBIGUOUS_COLUMN', /^Column reference g is ambiguous/);
    await expectError(session, 'SELECT g FROM a FULL JOIN b USING (g) LEFT JOIN c ON c.g = g', 'AMBIGUOUS_COLUMN', /^Column reference g is ambiguous/);
    await expectError(session, 'SELECT * FROM a NATURAL JOIN b ON a.id = b.id', 'PARSE_ERROR', /a NATURAL JOIN takes no ON or USING/);
    await expectError(session, 'SELECT * FROM a JOIN b ON a.id = b.id NATURAL JOIN c', 'AMBIGUOUS_COLUMN', /id/);
  });

  it('EXPLAIN names the kind of join', async () => {
    const result = await (await fixture()).execute('EXPLAIN SELECT * FROM a RIGHT JOIN b ON a.g = b.g FULL JOIN c ON c.g < b.g');
    const text = rowsOf(result).map((r) => String(r[0])).join('\n');
    expect(text).toContain('Nested loop full join c ON c.g < b.g');
    expect(text).toContain('Hash right join b ON a.g = b.g');
  });
});
