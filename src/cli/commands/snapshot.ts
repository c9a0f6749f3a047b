import type { SnapshotCreateOptions, SnapshotRestoreOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';

/** `chronos snapshot create`: writes a checksummed backup of a stopped node's dir. */
export async function runSnapshotCreate(options: SnapshotCreateOptions, io: CliIo): Promise<number> {
  const { createBackup } = await import('../../node/index.js');
  const meta = await createBackup(options.dataDir, options.output);
  io.stdout.write(`Snapshot of ${options.dataDir} (applied index ${meta.index}) written to ${options.output}\n`);
  return 0;
}

/** `chronos snapshot restore`: replaces a node's dir with a backup (non-empty needs --force). */
export async function runSnapshotRestore(
  options: SnapshotRestoreOptions, io: CliIo,
): Promise<number> {
  const { restoreBackup } = await import('../../node/index.js');
  const meta = await restoreBackup(options.dataDir, options.input, options.force);
  io.stdout.write(`Restored ${options.dataDir} from ${options.input} (applied index ${meta.index})\n`);
  return 0;
}
