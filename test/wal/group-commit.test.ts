import { describe, expect, it } from 'vitest';
import { SimDisk } from '../../src/wal/sim-disk.js';
import { Wal } from '../../src/wal/wal.js';
import { DIR, entry, recordingLogger } from './helpers.js';

describe('Wal group commit', () => {
  it('merges 64 concurrent saves into far fewer fsyncs', async () => {
    const disk = new SimDisk();
    const { wal } = await Wal.open(disk, DIR, { logger: recordingLogger() });
    const syncsBefore = disk.stats.fileSyncs;
    const appendsBefore = disk.stats.appends;
    const saves = Array.from({ length: 64 }, (_, i) => wal.save({ entries: [entry(i + 1)] }));
    await Promise.all(saves);
    const fsyncs = disk.stats.fileSyncs - syncsBefore;
    // The first save goes alone; the 63 that queued behind its fsync share the next one.
    expect(fsyncs).toBe(2);
    expect(disk.stats.appends - appendsBefore).toBe(2);
    expect(wal.lastIndex).toBe(64);
    await wal.close();
    const { state } = await Wal.open(disk, DIR, { logger: recordingLogger() });
    expect(state.entries.map((e) => e.index)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
  });

  it('saves arriving while an fsync is in flight wait for the next single fsync', async () => {
    let release: (() => void) | null = null;
    let held = 0;
    const disk = new SimDisk({
      beforeSync: () =>
        new Promise<void>((resolve) => {
          held += 1;
          release = resolve;
        }),
    });
    const opening = Wal.open(disk, DIR, { logger: recordingLogger() });
    await waitFor(() => release !== null);
    takeRelease();
    const { wal } = await opening;
    const order: number[] = [];
    const first = wal.save({ entries: [entry(1)] }).then(() => order.push(1));
    await waitFor(() => held === 2);
    const later = Array.from({ length: 20 }, (_, i) =>
      wal.save({ entries: [entry(i + 2)] }).then(() => order.push(i + 2)),
    );
    // Nothing resolves while the first fsync is held.
    await Promise.resolve();
    expect(order).toEqual([]);
    takeRelease();
    await first;
    expect(order).toEqual([1]);
    await waitFor(() => held === 3);
    expect(order).toEqual([1]);
    takeRelease();
    await Promise.all(later);
    expect(held).toBe(3);
    expect(order).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));

    function takeRelease(): void {
      const resolve: (() => void) | null = release;
      release = null;
      expect(resolve).not.toBeNull();
      resolve?.();
    }
  });
});

/** Polls a condition across macrotasks, bounded. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
