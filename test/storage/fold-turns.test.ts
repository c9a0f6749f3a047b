import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import { turnsDuring } from '../helpers/one-process.js';
import { COLUMNAR_READINGS, collect, newMemoryLevel } from './backends.js';

/**
 * Folding a head into blocks happens inside a commit, on every replica; it lets the event loop
 * turn as it goes. A 100,000-row fold held a node ~1 s in one piece, longer than the
 * heartbeats that keep its followers from electing another leader.
 */
describe('a fold of many rows', () => {
  it('turns the event loop between the blocks it writes', async () => {
    const engine = await openStorage({ level: newMemoryLevel(), layout: { blockRows: 256, headEntriesMax: 100_000, newTables: 'columnar' } });
    const tx0 = await engine.begin();
    tx0.createTable(COLUMNAR_READINGS);
    await tx0.commit(1);
    const tx = await engine.begin();
    await tx.insertMany('readings', Array.from({ length: 20 * 256 }, (_, i) => [`esp-${i % 10}`, i, i / 2]), 0);
    const { turns } = await turnsDuring(() => tx.commit(2));
    expect(turns).toBeGreaterThanOrEqual(20);
    const reader = await engine.reader();
    expect((await collect(reader.scan('readings'))).length).toBe(20 * 256);
    await reader.close();
    await engine.close();
  });
});
