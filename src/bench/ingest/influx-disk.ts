import { appendAll } from '../../lib/index.js';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What one database's files hold on disk, as the InfluxDB anchor counts them. */
export interface InfluxDiskUse {
  /** Blocks allocated (the series file is sparse and preallocated: apparent size overstates it). */
  readonly allocatedBytes: number;
  readonly tsmFiles: number;
  readonly walBytes: number;
  readonly tmpFiles: number;
}

async function files(dir: string): Promise<{ path: string; size: number; allocated: number }[]> {
  const out: { path: string; size: number; allocated: number }[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) appendAll(out, await files(path));
    else if (entry.isFile()) {
      const info = await stat(path);
      out.push({ path, size: info.size, allocated: info.blocks * 512 });
    }
  }
  return out;
}

/** The data and WAL files of database `db` under an influxd whose dirs are `root`/data and `root`/wal. */
export async function influxDiskUse(root: string, db: string): Promise<InfluxDiskUse> {
  const data = await files(join(root, 'data', db));
  const wal = await files(join(root, 'wal', db));
  const all = [...data, ...wal];
  return {
    allocatedBytes: all.reduce((sum, f) => sum + f.allocated, 0),
    tsmFiles: data.filter((f) => f.path.endsWith('.tsm')).length,
    walBytes: wal.reduce((sum, f) => sum + f.size, 0),
    tmpFiles: data.filter((f) => f.path.endsWith('.tmp')).length,
  };
}

/**
 * Waits (at most `timeoutMs`) until `db` is compacted as the anchor waits for it, one TSM file and
 * an empty WAL, and returns its disk use then (or at the timeout, `settled` false).
 */
export async function settledInfluxDiskUse(root: string, db: string, timeoutMs: number): Promise<InfluxDiskUse & { settled: boolean }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const use = await influxDiskUse(root, db);
    const settled = use.tsmFiles === 1 && use.walBytes === 0 && use.tmpFiles === 0;
    if (settled || performance.now() > deadline) return { ...use, settled };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
