import { describe, expect, it } from 'vitest';
import { ChronosError, isChronosError } from '../../src/lib/errors.js';
import { SimDisk } from '../../src/wal/sim-disk.js';
import { Wal } from '../../src/wal/wal.js';
import { DIR, entries, entry, plain, recordingLogger } from './helpers.js';

/** A WAL with entries 1..count, one save each; returns the last segment's path and offsets. */
async function written(count: number, segmentBytesMax?: number) {
  const disk = new SimDisk();
  const options = segmentBytesMax === undefined ? {} : { segmentBytesMax };
  const { wal } = await Wal.open(disk, DIR, { logger: recordingLogger(), ...options });
  const boundaries: number[] = [];
  for (let index = 1; index <= count; index++) {
    await wal.save({ entries: [entry(index, 1, 20)] });
    const names = wal.segmentNames;
    boundaries.push(disk.size(`${DIR}/${names[names.length - 1] ?? ''}`));
  }
  const names = [...wal.segmentNames];
  await wal.close();
  return { disk, names, boundaries, path: `${DIR}/${names[names.length - 1] ?? ''}` };
}

async function corruptionOf(disk: SimDisk): Promise<ChronosError> {
  const error: unknown = await Wal.open(disk, DIR, { logger: recordingLogger() }).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!isChronosError(error, 'CORRUPTION')) {
    throw new Error(`expected CORRUPTION, got ${String(error)}`);
  }
  return error;
}

describe('Wal recovery', () => {
  it('cuts a torn tail at every byte offset of the last record, keeping earlier ones', async () => {
    const probe = await written(5);
    const recordStart = probe.boundaries[3] ?? 0;
    const recordEnd = probe.boundaries[4] ?? 0;
    expect(recordEnd - recordStart).toBeGreaterThan(20);
    for (let cut = recordStart; cut < recordEnd; cut++) {
      const { disk, path } = await written(5);
      await disk.truncate(path, cut);
      const logger = recordingLogger();
      const { wal, state } = await Wal.open(disk, DIR, { logger });
      expect(plain(state.entries)).toEqual(plain(entries(1, 4, 1, 20)));
      expect(disk.size(path)).toBe(recordStart);
      expect(logger.messages).toHaveLength(cut === recordStart ? 0 : 1);
      if (cut > recordStart) {
        expect(logger.messages[0]).toMatchObject({ file: path, offset: recordStart });
      }
      await wal.save({ entries: [entry(5, 2)] });
      await wal.close();
      const again = await Wal.open(disk, DIR, { logger: recordingLogger() });
      const restored = again.state.entries.map((e) => [e.index, e.term]);
      expect(restored).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 2]]);
    }
  });

  it('cuts garbage or zeros appended after the last record', async () => {
    for (const fill of [0x00, 0x5a]) {
      const { disk, path, boundaries } = await written(3);
      const file = await disk.openAppend(path);
      await file.append(new Uint8Array(37).fill(fill));
      await file.sync();
      const logger = recordingLogger();
      const { state } = await Wal.open(disk, DIR, { logger });
      expect(state.entries).toHaveLength(3);
      expect(disk.size(path)).toBe(boundaries[2]);
      expect(logger.messages).toHaveLength(1);
    }
  });

  it('any flipped byte in a middle record is CORRUPTION naming the file and offset', async () => {
    const probe = await written(5);
    const start = probe.boundaries[1] ?? 0;
    const end = probe.boundaries[2] ?? 0;
    for (let offset = start; offset < end; offset++) {
      const { disk, path } = await written(5);
      disk.flipByte(path, offset);
      const error = await corruptionOf(disk);
      expect(error.message).toContain(path);
      expect(error.message).toContain(`byte offset ${start}`);
      expect(error.details).toMatchObject({ file: path, offset: start });
    }
  });

  it('a bad record at the end of a segment that is not the last is CORRUPTION', async () => {
    const { disk, names } = await written(40, 200);
    expect(names.length).toBeGreaterThan(2);
    const path = `${DIR}/${names[0] ?? ''}`;
    disk.flipByte(path, disk.size(path) - 1);
    const error = await corruptionOf(disk);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not the last/);
  });

  it('a missing middle segment is CORRUPTION', async () => {
    const { disk, names } = await written(40, 200);
    const middle = `${DIR}/${names[1] ?? ''}`;
    await disk.unlink(middle);
    const error = await corruptionOf(disk);
    expect(error.message).toMatch(/missing/);
  });

  it('ignores stray files but says so', async () => {
    const { disk } = await written(2);
    const stray = await disk.openAppend(`${DIR}/notes.tmp`);
    await stray.append(new Uint8Array([1, 2, 3]));
    const logger = recordingLogger();
    const { state } = await Wal.open(disk, DIR, { logger });
    expect(state.entries).toHaveLength(2);
    expect(logger.messages[0]).toMatchObject({ name: 'notes.tmp' });
  });
});
