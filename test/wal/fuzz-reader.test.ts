import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { Random } from '../../src/lib/random.js';
import { SimDisk } from '../../src/wal/sim-disk.js';
import { Wal } from '../../src/wal/wal.js';
import { DIR, entries, plain, recordingLogger } from './helpers.js';

const ORIGINAL = entries(1, 60, 3, 25);

async function writtenDisk(): Promise<{ disk: SimDisk; names: string[] }> {
  const disk = new SimDisk();
  const { wal } = await Wal.open(disk, DIR, { logger: recordingLogger(), segmentBytesMax: 700 });
  for (let i = 0; i < ORIGINAL.length; i += 3) {
    await wal.save({
      entries: ORIGINAL.slice(i, i + 3),
      hardState: { term: 3, vote: 'n1', commit: i },
    });
  }
  const names = [...wal.segmentNames];
  await wal.close();
  return { disk, names };
}

describe('WAL reader fuzz', () => {
  it('damaged segments open to a prefix of the log or fail with CORRUPTION', async () => {
    const random = new Random(7);
    let corrupt = 0;
    let opened = 0;
    for (let trial = 0; trial < 300; trial++) {
      const { disk, names } = await writtenDisk();
      expect(names.length).toBeGreaterThan(3);
      const path = `${DIR}/${random.pick(names)}`;
      const size = disk.size(path);
      if (random.chance(0.5)) {
        await disk.truncate(path, random.int(size));
      } else {
        const flips = random.between(1, 4);
        for (let i = 0; i < flips; i++) disk.flipByte(path, random.int(size));
      }
      try {
        const { state } = await Wal.open(disk, DIR, { logger: recordingLogger() });
        opened += 1;
        expect(plain(state.entries)).toEqual(plain(ORIGINAL.slice(0, state.entries.length)));
      } catch (error) {
        if (!isChronosError(error, 'CORRUPTION')) throw error;
        expect(error.message).toContain(DIR);
        corrupt += 1;
      }
    }
    expect(corrupt).toBeGreaterThan(50);
    expect(opened).toBeGreaterThan(20);
  });
});
