import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { benchWal } from '../../src/wal/bench.js';
import { CountingDisk } from '../../src/wal/disk.js';
import { NodeDisk } from '../../src/wal/node-disk.js';
import { Wal } from '../../src/wal/wal.js';
import { entries, entry, plain, recordingLogger } from './helpers.js';

let root = '';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'chronos-wal-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Wal on the real file system', () => {
  it('round-trips across a reopen, with rotation and compaction', async () => {
    const dir = join(root, 'wal');
    const disk = new NodeDisk();
    const { wal } = await Wal.open(disk, dir, { logger: recordingLogger(), segmentBytesMax: 512 });
    for (let index = 1; index <= 60; index++) await wal.save({ entries: [entry(index, 2, 30)] });
    await wal.save({
      hardState: { term: 2, vote: 'n1', commit: 60 },
      snapshot: { index: 40, term: 2, membership: { voters: ['n1'] } },
    });
    const before = (await readdir(dir)).length;
    await wal.compact(40);
    const after = await readdir(dir);
    expect(after.length).toBeLessThan(before);
    expect(after).toEqual([...wal.segmentNames]);
    await wal.close();
    const options = { logger: recordingLogger(), segmentBytesMax: 512 };
    const { state } = await Wal.open(disk, dir, options);
    expect(state.hardState).toEqual({ term: 2, vote: 'n1', commit: 60 });
    expect(state.snapshot?.index).toBe(40);
    expect(plain(state.entries)).toEqual(plain(entries(41, 60, 2, 30)));
  });

  it('cuts a torn tail and refuses a corrupt middle on disk', async () => {
    const dir = join(root, 'wal');
    const disk = new NodeDisk();
    const { wal } = await Wal.open(disk, dir, { logger: recordingLogger() });
    for (let index = 1; index <= 5; index++) await wal.save({ entries: [entry(index)] });
    await wal.close();
    const [name] = await readdir(dir);
    const path = join(dir, name ?? '');
    const size = (await stat(path)).size;
    await truncate(path, size - 3);
    const logger = recordingLogger();
    const reopened = await Wal.open(disk, dir, { logger });
    expect(reopened.state.entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(logger.messages).toHaveLength(1);
    await reopened.wal.close();
    // Overwrite one byte in the middle of the file.
    const bytes = await readFile(path);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    const failure: unknown = await Wal.open(disk, dir, { logger: recordingLogger() }).catch(
      (error: unknown) => error,
    );
    expect(isChronosError(failure, 'CORRUPTION')).toBe(true);
    expect((failure as Error).message).toContain(path);
  });

  it('group-commits concurrent saves into few fsyncs', async () => {
    const disk = new CountingDisk(new NodeDisk());
    const { wal } = await Wal.open(disk, join(root, 'wal'), { logger: recordingLogger() });
    const syncs = disk.stats.fileSyncs;
    await Promise.all(Array.from({ length: 64 }, (_, i) => wal.save({ entries: [entry(i + 1)] })));
    expect(disk.stats.fileSyncs - syncs).toBeLessThanOrEqual(4);
    await wal.close();
  });

  it('benchWal reports throughput and group commit', async () => {
    const result = await benchWal(root, { sequentialSaves: 50, savers: 16, savesPerSaver: 10 });
    expect(result.sequentialSaves).toBe(50);
    expect(result.appendsPerSec).toBeGreaterThan(0);
    expect(result.concurrentSaves).toBe(160);
    expect(result.fsyncsPerConcurrentSave).toBeLessThan(0.5);
  });
});
