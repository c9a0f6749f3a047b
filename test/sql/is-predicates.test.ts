import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf, run } from './support.js';

const VALUES = ['TRUE', 'FALSE', 'NULL'] as const;

/** Three-valued x against each IS test, as PostgreSQL answers (never NULL). */
function expected(x: (typeof VALUES)[number], test: string): boolean {
  const value = x === 'TRUE' ? true : x === 'FALSE' ? false : null;
  const negated = test.startsWith('NOT ');
  const wanted = test.endsWith('TRUE') ? true : test.endsWith('FALSE') ? false : null;
  return (value === wanted) !== negated;
}

describe('IS [NOT] TRUE | FALSE | UNKNOWN', () => {
  it('answers every pairing of a three-valued operand and test, never NULL', async () => {
    const { session } = await newSession();
    for (const x of VALUES) {
      for (const test of ['TRUE', 'NOT TRUE', 'FALSE', 'NOT FALSE', 'UNKNOWN', 'NOT UNKNOWN']) {
        const rows = rowsOf(await run(session, `SELECT ${x} IS ${test}`));
        expect(rows, `${x} IS ${test}`).toEqual([[expected(x, test)]]);
      }
    }
  });

  it('binds looser than a comparison and tighter than NOT, and names its column as written', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, g INT)', 'INSERT INTO t VALUES (1, 1), (2, NULL), (3, 5)');
    const result = await run(session, 'SELECT id, g > 2 IS NOT TRUE FROM t WHERE NOT g = 1 IS TRUE ORDER BY id');
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['id', 'g > 2 is not true']);
    expect(rowsOf(result)).toEqual([[2, true], [3, false]]);
  });

  it('refuses an operand that is not BOOLEAN, naming the test', async () => {
    const { session } = await newSession();
    await expectError(session, 'SELECT 1 IS TRUE', 'TYPE_MISMATCH', /IS TRUE needs a BOOLEAN, got INT/);
    await expectError(session, "SELECT 'a' IS NOT UNKNOWN", 'TYPE_MISMATCH', /IS UNKNOWN needs a BOOLEAN, got STRING/);
  });
});

describe('IS [NOT] DISTINCT FROM', () => {
  it('is equality where NULL equals NULL, numbers compared across INT and FLOAT', async () => {
    const { session } = await newSession();
    const cases: Array<[string, boolean]> = [
      ['1 IS DISTINCT FROM 1', false], ['1 IS DISTINCT FROM 2', true], ['1 IS DISTINCT FROM NULL', true],
      ['NULL IS DISTINCT FROM NULL', false], ['2 IS NOT DISTINCT FROM 2.0', true],
      ["'a' IS NOT DISTINCT FROM 'A'", false], ['NULL IS NOT DISTINCT FROM NULL', true],
      ['9007199254740993 IS DISTINCT FROM 9007199254740992', true], ['TRUE IS DISTINCT FROM FALSE', true],
    ];
    for (const [sql, answer] of cases) expect(rowsOf(await run(session, `SELECT ${sql}`)), sql).toEqual([[answer]]);
  });

  it('takes on its right everything that binds tighter than IS', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, g INT)', 'INSERT INTO t VALUES (1, 2), (2, NULL), (3, 3)');
    const where = 'WHERE NOT g IS DISTINCT FROM id + 1 OR g IS NOT DISTINCT FROM NULL';
    const result = await run(session, `SELECT id, g IS DISTINCT FROM id * 1 FROM t ${where} ORDER BY id`);
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['id', 'g is distinct from id * 1']);
    expect(rowsOf(result)).toEqual([[1, true], [2, true]]);
  });

  it('refuses operands that cannot be compared', async () => {
    const { session } = await newSession();
    await expectError(session, "SELECT 1 IS DISTINCT FROM 'a'", 'TYPE_MISMATCH', /cannot compare INT with STRING/);
  });

  it('reads the columns it names from a columnar table', async () => {
    const { session } = await newSession();
    await run(session, "CREATE TABLE c (id INT PRIMARY KEY, a INT, b INT) WITH (layout = 'columnar')",
      'INSERT INTO c VALUES (1, 1, 1), (2, 1, NULL), (3, NULL, NULL), (4, 2, 3)');
    const rows = rowsOf(await run(session, 'SELECT id FROM c WHERE a IS DISTINCT FROM b ORDER BY id'));
    expect(rows).toEqual([[2], [4]]);
  });
});
