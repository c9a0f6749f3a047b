import { describe, expect, it } from 'vitest';
import { newSession, rowsOf } from './support.js';

describe('LocalNode.compactStep', () => {
  it('merges small blocks between write batches, answers unchanged, and never overlaps a commit', async () => {
    const { session, executor } = await newSession(undefined, { blockRows: 32, headEntriesMax: 40, newTables: 'row' });
    await session.execute("CREATE TABLE r (device STRING, ts INT, v FLOAT, PRIMARY KEY (device, ts)) WITH (layout = 'columnar')");
    for (let commit = 0; commit < 40; commit++) {
      const values = ['a', 'b', 'c', 'd'].flatMap((device) =>
        [0, 1, 2, 3, 4].map((i) => `('${device}', ${commit * 5 + i}, ${(commit * 5 + i) / 4})`));
      await session.execute(`INSERT INTO r VALUES ${values.join(', ')}`);
    }
    const query = 'SELECT device, count(*), sum(v), min(ts), max(ts) FROM r GROUP BY device ORDER BY device';
    const before = rowsOf(await session.execute(query));
    let removed = 0;
    for (let step = 0; step < 50; step++) {
      // A write queued while a step runs waits for it, then commits.
      const [outcome] = await Promise.all([
        executor.compactStep(8),
        step % 10 === 0 ? session.execute(`INSERT INTO r VALUES ('z', ${step}, 1.0)`) : Promise.resolve(null),
      ]);
      removed += outcome.blocksRemoved;
    }
    expect(removed).toBeGreaterThan(10);
    expect(rowsOf(await session.execute(query)).filter((row) => row[0] !== 'z')).toEqual(before);
    expect(rowsOf(await session.execute("SELECT count(*) FROM r WHERE device = 'z'"))).toEqual([[5]]);
  });
});
