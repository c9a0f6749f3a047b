import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { newSession, rowsOf, run } from './support.js';

/** Values that exercise the lookup: integers as number and bigint, fractions, NULL. */
const POOL = ['0', '1', '-1', '2', '7', '2.5', '-0.5', '9007199254740993', '9007199254740992', 'NULL', '42', '100'];

describe('long constant IN lists (looked up in a hash set)', () => {
  it('answer exactly as the equivalent OR chain, NULLs and NOT included', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE t (id INT PRIMARY KEY, i INT, f FLOAT)');
    const rows = POOL.map((v, id) => `(${id}, ${v.includes('.') ? 'NULL' : v}, ${v})`).join(', ');
    await run(session, `INSERT INTO t (id, i, f) VALUES ${rows}`);
    const random = new Random(7);
    for (let round = 0; round < 200; round += 1) {
      const items = Array.from({ length: 8 + random.int(12) }, () => random.pick(POOL));
      const column = random.pick(['i', 'f']);
      const negated = random.chance(0.5);
      const inList = `${column} ${negated ? 'NOT ' : ''}IN (${items.join(', ')})`;
      const chain = items.map((item) => `${column} = ${item}`).join(' OR ');
      const orForm = negated ? `NOT (${chain})` : `(${chain})`;
      const viaSet = rowsOf(await run(session, `SELECT id FROM t WHERE ${inList} ORDER BY id`));
      const viaOr = rowsOf(await run(session, `SELECT id FROM t WHERE ${orForm} ORDER BY id`));
      expect(viaSet, inList).toEqual(viaOr);
    }
  });

  it('keeps refusing a list of another type', async () => {
    const { session } = await newSession();
    await run(session, 'CREATE TABLE s (id INT PRIMARY KEY, name STRING)');
    await run(session, "INSERT INTO s VALUES (1, 'a')");
    const list = Array.from({ length: 10 }, (_, i) => String(i)).join(', ');
    await expect(run(session, `SELECT id FROM s WHERE name IN (${list})`)).rejects.toThrow(/Type mismatch/);
  });
});
