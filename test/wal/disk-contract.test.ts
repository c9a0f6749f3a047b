import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { Random } from '../../src/lib/random.js';
import type { Disk } from '../../src/wal/disk.js';
import { NodeDisk } from '../../src/wal/node-disk.js';
import { SimDisk } from '../../src/wal/sim-disk.js';

const roots: string[] = [];

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const implementations: Array<[string, () => Promise<{ disk: Disk; dir: string }>]> = [
  ['NodeDisk', async () => {
    const root = await mkdtemp(join(tmpdir(), 'chronos-disk-'));
    roots.push(root);
    return { disk: new NodeDisk(), dir: join(root, 'd') };
  }],
  ['SimDisk', async () => ({ disk: new SimDisk(), dir: '/d' })],
];

describe.each(implementations)('Disk contract: %s', (_name, make) => {
  it('appends, reads, truncates, renames, unlinks and lists', async () => {
    const { disk, dir } = await make();
    await disk.mkdir(dir);
    expect(await disk.list(dir)).toEqual([]);
    const file = await disk.openAppend(`${dir}/b.log`);
    await file.append(new Uint8Array([1, 2, 3]));
    await file.append(new Uint8Array([4, 5]));
    await file.sync();
    await file.close();
    expect([...(await disk.read(`${dir}/b.log`))]).toEqual([1, 2, 3, 4, 5]);
    await disk.truncate(`${dir}/b.log`, 2);
    expect([...(await disk.read(`${dir}/b.log`))]).toEqual([1, 2]);
    const again = await disk.openAppend(`${dir}/b.log`);
    await again.append(new Uint8Array([9]));
    await again.close();
    expect([...(await disk.read(`${dir}/b.log`))]).toEqual([1, 2, 9]);
    await (await disk.openAppend(`${dir}/a.log`)).close();
    expect(await disk.list(dir)).toEqual(['a.log', 'b.log']);
    await disk.rename(`${dir}/b.log`, `${dir}/c.log`);
    await disk.unlink(`${dir}/a.log`);
    await disk.syncDir(dir);
    expect(await disk.list(dir)).toEqual(['c.log']);
    const missing: unknown = await disk.read(`${dir}/a.log`).catch((error: unknown) => error);
    expect(isChronosError(missing, 'IO_ERROR')).toBe(true);
    expect(String((missing as Error).message)).toContain('a.log');
  });
});

describe('SimDisk crashes', () => {
  it('drops unsynced bytes and unsynced directory changes', async () => {
    const disk = new SimDisk();
    await disk.mkdir('/d');
    const kept = await disk.openAppend('/d/kept');
    await kept.append(new Uint8Array([1, 2]));
    await kept.sync();
    await disk.syncDir('/d');
    await kept.append(new Uint8Array([3]));
    const lost = await disk.openAppend('/d/lost');
    await lost.append(new Uint8Array([7]));
    await lost.sync();
    disk.crash();
    await expect(disk.list('/d')).rejects.toThrow(/down/);
    await expect(kept.append(new Uint8Array([4]))).rejects.toThrow(/before crash|down/);
    disk.restart();
    expect(await disk.list('/d')).toEqual(['kept']);
    expect([...(await disk.read('/d/kept'))]).toEqual([1, 2]);
    await expect(kept.sync()).rejects.toThrow(/before crash/);
  });

  it('can keep a random prefix of unsynced bytes (torn tails), reproducibly', async () => {
    const lengths: number[] = [];
    for (let run = 0; run < 2; run++) {
      const random = new Random(42);
      const seen: number[] = [];
      for (let trial = 0; trial < 20; trial++) {
        const disk = new SimDisk({ random });
        await disk.mkdir('/d');
        const file = await disk.openAppend('/d/f');
        await file.append(new Uint8Array(10).fill(1));
        await file.sync();
        await disk.syncDir('/d');
        await file.append(new Uint8Array(10).fill(2));
        disk.crash({ keepUnsyncedPrefix: true });
        disk.restart();
        const bytes = await disk.read('/d/f');
        expect(bytes.length).toBeGreaterThanOrEqual(10);
        expect(bytes.length).toBeLessThanOrEqual(20);
        expect(bytes.subarray(0, 10).every((b) => b === 1)).toBe(true);
        expect(bytes.subarray(10).every((b) => b === 2)).toBe(true);
        seen.push(bytes.length);
      }
      expect(new Set(seen).size).toBeGreaterThan(3);
      if (run === 0) lengths.push(...seen);
      else expect(seen).toEqual(lengths);
    }
  });
});
