import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine } from '../../src/storage/index.js';
import { afterPrefix, blocksPrefix } from '../../src/storage/keys.js';
import { COLUMNAR_READINGS as READINGS, collect, newMemoryLevel } from './backends.js';


async function rows(engine: StorageEngine): Promise<string[]> {
  const reader = await engine.reader();
  try {
    return (await collect(reader.scan('readings'))).map((row) => JSON.stringify([row.key, row.values, row.insertedAtMs]));
  } finally {
    await reader.close();
  }
}

describe('compactStep', () => {
  it('merges per-device fragments window by window, leaving every row as it was, between writes', async () => {
    const rng = new Random(3);
    const level = newMemoryLevel();
    const engine = await openStorage({ level, layout: { blockRows: 16, headEntriesMax: 12, newTables: 'row' } });
    const blocks = async (): Promise<number> => {
      let n = 0;
      for await (const _key of level.keys({ gte: blocksPrefix(1), lt: afterPrefix(blocksPrefix(1)) })) n++;
      return n;
    };
    let index = 0;
    const tx0 = await engine.begin();
    tx0.createTable(READINGS);
    await tx0.commit(++index);
    // Five devices, three readings each per commit: folds leave small per-device blocks.
    for (let step = 0; step < 60; step++) {
      const tx = await engine.begin();
      for (const device of ['a', 'b', 'c', 'd', 'e']) {
        for (let i = 0; i < 3; i++) await tx.insert('readings', [device, step * 10 + i, rng.between(0, 99) / 4], step);
      }
      if (step % 7 === 6) {
        const victim = rng.pick(await collect(tx.scan('readings')));
        await tx.delete('readings', victim.key);
      }
      await tx.commit(++index);
      if (step % 10 === 9) {
        const before = await rows(engine);
        const blocksBefore = await blocks();
        const outcome = await engine.compactStep(8);
        expect(await rows(engine)).toEqual(before);
        expect(await blocks()).toBe(blocksBefore - outcome.blocksRemoved);
      }
    }
    const fragmented = await blocks();
    const before = await rows(engine);
    for (let i = 0; i < 200; i++) await engine.compactStep(8);
    expect(await rows(engine)).toEqual(before);
    // 900 rows - 8 deletes in blocks of up to 16, one device each: about 60 blocks.
    expect(fragmented).toBeGreaterThan(100);
    expect(await blocks()).toBeLessThan(80);
    // Writes after compaction land where they should.
    const tx = await engine.begin();
    await tx.insert('readings', ['c', 5, 1.5], 99);
    await tx.commit(++index);
    expect((await rows(engine)).length).toBe(before.length + 1);
    await engine.close();
  });

  it('makes a transaction begun before it fail to commit, as any other write does', async () => {
    const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 4, headEntriesMax: 4, newTables: 'row' } });
    const tx0 = await engine.begin();
    tx0.createTable(READINGS);
    await tx0.commit(1);
    const open = await engine.begin();
    await engine.compactStep(8);
    await open.insert('readings', ['a', 1, 1], 0);
    await expect(open.commit(2)).rejects.toThrow(/another commit happened/);
    await engine.close();
  });
});
