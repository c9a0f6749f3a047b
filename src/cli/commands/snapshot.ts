import type { SnapshotCreateOptions, SnapshotRestoreOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';
import { notAvailable } from '../not-available.js';

/** `chronos snapshot create`: writes a checksummed backup of a stopped node's dir. */
export async function runSnapshotCreate(options: SnapshotCreateOptions, io: CliIo): Promise<number> {
  void io;
  throw notAvailable(`'chronos snapshot create' (data dir '${options.dataDir}')`);
}

/** `chronos snapshot restore`: replaces a node's dir with a backup (non-empty needs --force). */
export async function runSnapshotRestore(
  options: SnapshotRestoreOptions, io: CliIo,
): Promise<number> {
  void io;
  throw notAvailable(`'chronos snapshot restore' (data dir '${options.dataDir}')`);
}
