import { performance } from 'node:perf_hooks';
import type { Entry } from '../raft/index.js';
import { CountingDisk, diskPath } from './disk.js';
import type { Disk } from './disk.js';
import { NodeDisk } from './node-disk.js';
import { Wal } from './wal.js';

/** Figures printed by `npm run bench` for the WAL. */
export interface WalBenchResult {
  /** Sequential `save` of one small entry each, awaited one after another. */
  readonly appendsPerSec: number;
  readonly sequentialSaves: number;
  /** 64 concurrent savers: saves completed per second (group commit at work). */
  readonly concurrentSavesPerSec: number;
  readonly concurrentSaves: number;
  /** File fsyncs divided by saves in the concurrent run (1 = no merging). */
  readonly fsyncsPerConcurrentSave: number;
}

/** Options of `benchWal`; the defaults take about two seconds on the reference machines. */
export interface WalBenchOptions {
  readonly sequentialSaves?: number;
  readonly savers?: number;
  readonly savesPerSaver?: number;
  readonly entryBytes?: number;
  /** Defaults to the real file system. */
  readonly disk?: Disk;
}

const silentLogger = { warn: (): void => {} };

/** Measures the WAL in `dir` (an empty scratch directory the caller removes afterwards). */
export async function benchWal(
  dir: string,
  options: WalBenchOptions = {},
): Promise<WalBenchResult> {
  const sequentialSaves = options.sequentialSaves ?? 2_000;
  const savers = options.savers ?? 64;
  const savesPerSaver = options.savesPerSaver ?? 100;
  const data = new Uint8Array(options.entryBytes ?? 100).fill(7);
  const disk = new CountingDisk(options.disk ?? new NodeDisk());

  const sequential = await Wal.open(disk, diskPath(dir, 'sequential'), { logger: silentLogger });
  let index = sequential.wal.lastIndex;
  let started = performance.now();
  for (let i = 0; i < sequentialSaves; i++) {
    index += 1;
    await sequential.wal.save({ entries: [entry(index, data)] });
  }
  const sequentialMs = performance.now() - started;
  await sequential.wal.close();

  const concurrent = await Wal.open(disk, diskPath(dir, 'concurrent'), { logger: silentLogger });
  const wal = concurrent.wal;
  let next = wal.lastIndex;
  const syncsBefore = disk.stats.fileSyncs;
  started = performance.now();
  const saver = async (): Promise<void> => {
    for (let i = 0; i < savesPerSaver; i++) {
      // Indexes are taken at call time, so queued saves stay contiguous in queue order.
      next += 1;
      await wal.save({ entries: [entry(next, data)] });
    }
  };
  await Promise.all(Array.from({ length: savers }, saver));
  const concurrentMs = performance.now() - started;
  const concurrentSaves = savers * savesPerSaver;
  const fsyncs = disk.stats.fileSyncs - syncsBefore;
  await wal.close();

  return {
    appendsPerSec: Math.round((sequentialSaves * 1000) / sequentialMs),
    sequentialSaves,
    concurrentSavesPerSec: Math.round((concurrentSaves * 1000) / concurrentMs),
    concurrentSaves,
    fsyncsPerConcurrentSave: fsyncs / concurrentSaves,
  };
}

function entry(index: number, data: Uint8Array): Entry {
  return { index, term: 1, type: 'command', data };
}
