import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { SimDisk } from '../../src/wal/sim-disk.js';
import { Wal } from '../../src/wal/wal.js';
import { DIR, entries, entry, plain, recordingLogger } from './helpers.js';

const snapshotAt = (index: number, term = 1) => ({ index, term, membership: { voters: ['n1'] } });

async function reopen(disk: SimDisk, segmentBytesMax?: number) {
  const options = segmentBytesMax === undefined ? {} : { segmentBytesMax };
  return Wal.open(disk, DIR, { logger: recordingLogger(), ...options });
}

describe('Wal round trips', () => {
  it('opens an empty directory with the initial state', async () => {
    const disk = new SimDisk();
    const { wal, state } = await reopen(disk);
    expect(state).toEqual({
      hardState: { term: 0, vote: null, commit: 0 },
      snapshot: null,
      entries: [],
    });
    expect(wal.segmentNames).toHaveLength(1);
    await wal.close();
  });

  it('restores entries, hard state and snapshot after a restart', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk);
    await wal.save({ entries: entries(1, 3), hardState: { term: 1, vote: 'n1', commit: 2 } });
    await wal.save({ entries: entries(4, 5, 2), hardState: { term: 2, vote: null, commit: 5 } });
    await wal.close();
    const { state } = await reopen(disk);
    expect(state.hardState).toEqual({ term: 2, vote: null, commit: 5 });
    expect(state.snapshot).toBeNull();
    expect(plain(state.entries)).toEqual(plain([...entries(1, 3), ...entries(4, 5, 2)]));
    expect(state.entries[3]?.type).toBe('command');
  });

  it('overwrites the suffix when an entry index is at or below the last index', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk);
    await wal.save({ entries: entries(1, 10, 1) });
    await wal.save({ entries: entries(6, 7, 2) });
    expect(wal.lastIndex).toBe(7);
    await wal.save({ entries: entries(8, 8, 3) });
    await wal.close();
    const { state } = await reopen(disk);
    const expected = [...entries(1, 5, 1), ...entries(6, 7, 2), entry(8, 3)];
    expect(plain(state.entries)).toEqual(plain(expected));
  });

  it('survives many batches across restarts', async () => {
    const disk = new SimDisk();
    let index = 0;
    for (let round = 0; round < 5; round++) {
      const { wal, state } = await reopen(disk);
      expect(state.entries).toHaveLength(index);
      for (let batch = 0; batch < 200; batch++) {
        await wal.save({ entries: entries(index + 1, index + 3, round + 1) });
        index += 3;
      }
      await wal.save({ hardState: { term: round + 1, vote: `n${round}`, commit: index } });
      await wal.close();
    }
    const { state } = await reopen(disk);
    expect(state.entries).toHaveLength(1000 * 3);
    expect(state.entries.every((e, i) => e.index === i + 1)).toBe(true);
    expect(state.hardState).toEqual({ term: 5, vote: 'n4', commit: 3000 });
  });

  it('keeps the log after a matching snapshot and drops a conflicting one', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk);
    await wal.save({ entries: entries(1, 10, 1) });
    await wal.save({ snapshot: snapshotAt(4, 1) });
    await wal.close();
    let restored = await reopen(disk);
    expect(restored.state.snapshot).toEqual(snapshotAt(4, 1));
    expect(restored.state.entries.map((e) => e.index)).toEqual([5, 6, 7, 8, 9, 10]);
    // A leader's snapshot whose term differs at its index replaces the whole log (Raft §7).
    await restored.wal.save({ snapshot: snapshotAt(8, 3), entries: entries(9, 9, 3) });
    await restored.wal.close();
    restored = await reopen(disk);
    expect(restored.state.snapshot).toEqual(snapshotAt(8, 3));
    expect(plain(restored.state.entries)).toEqual(plain([entry(9, 3)]));
  });

  it('rejects an invalid batch alone, with INVALID_ARGUMENT', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk);
    await wal.save({ entries: entries(1, 3) });
    const gap = wal.save({ entries: entries(5, 6) });
    const good = wal.save({ entries: entries(4, 4) });
    await expect(gap).rejects.toSatisfy((error) => isChronosError(error, 'INVALID_ARGUMENT'));
    await good;
    await expect(wal.save({ entries: [entry(5), entry(7)] })).rejects.toThrow(/not contiguous/);
    expect(wal.lastIndex).toBe(4);
    await wal.close();
    await expect(wal.save({ entries: entries(5, 5) })).rejects.toThrow(/closed/);
  });

  it('fails every later save after an fsync error (no retry after a lost fsync)', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk);
    await wal.save({ entries: entries(1, 1) });
    disk.failNextSync = true;
    await expect(wal.save({ entries: entries(2, 2) })).rejects.toThrow(/injected fault/);
    await expect(wal.save({ entries: entries(3, 3) })).rejects.toSatisfy((error) =>
      isChronosError(error, 'IO_ERROR'),
    );
  });
});

describe('Wal encoding failures', () => {
  it('rejects (never hangs) when a record cannot be encoded, and stays failed', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk);
    const vote = 'n'.repeat(70_000);
    await expect(wal.save({ hardState: { term: 1, vote, commit: 0 } })).rejects.toThrow(/u16/);
    await expect(wal.save({ entries: entries(1, 1) })).rejects.toThrow(/failed earlier/);
  });
});

describe('Wal segments', () => {
  it('rotates past the size limit and compacts whole segments below the snapshot', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk, 1024);
    for (let index = 1; index <= 300; index++) {
      const hardState = { term: 1, vote: 'n1', commit: index };
      await wal.save({ entries: [entry(index, 1, 40)], hardState });
    }
    const before = [...wal.segmentNames];
    expect(before.length).toBeGreaterThan(10);
    expect([...before].sort()).toEqual(before);
    await expect(wal.compact(200)).rejects.toSatisfy((error) =>
      isChronosError(error, 'INVALID_ARGUMENT'),
    );
    await wal.save({ snapshot: snapshotAt(200, 1) });
    await wal.compact(200);
    const after = wal.segmentNames;
    expect(after.length).toBeLessThan(before.length);
    expect(after[after.length - 1]).toBe(before[before.length - 1]);
    // The oldest kept segment still holds index 201, the first entry after the snapshot.
    const firstKept = Number(after[0]?.split('-')[1]?.slice(0, 16));
    expect(firstKept).toBeLessThanOrEqual(201);
    const following = Number(after[1]?.split('-')[1]?.slice(0, 16));
    expect(following).toBeGreaterThan(201);
    await wal.close();
    const { state } = await reopen(disk, 1024);
    expect(state.snapshot).toEqual(snapshotAt(200, 1));
    expect(state.entries.map((e) => e.index)).toEqual(entries(201, 300).map((e) => e.index));
    expect(state.hardState).toEqual({ term: 1, vote: 'n1', commit: 300 });
  });

  it('compaction keeps the last segment even when everything is in the snapshot', async () => {
    const disk = new SimDisk();
    const { wal } = await reopen(disk, 256);
    for (let index = 1; index <= 50; index++) await wal.save({ entries: [entry(index, 1, 40)] });
    await wal.save({ snapshot: snapshotAt(50, 1), hardState: { term: 1, vote: null, commit: 50 } });
    await wal.compact(50);
    expect(wal.segmentNames).toHaveLength(1);
    await wal.save({ entries: entries(51, 52) });
    await wal.close();
    const { state } = await reopen(disk, 256);
    expect(state.snapshot?.index).toBe(50);
    expect(state.entries.map((e) => e.index)).toEqual([51, 52]);
  });
});
