import type { SnapshotCreateOptions, SnapshotRestoreOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';
import { existsSync } from 'node:fs';
import { Logger, TextSink, systemClock } from '../../lib/index.js';
import { nodePaths } from '../../node/index.js';

/** `chronos snapshot create`: writes a checksummed backup of a stopped node's dir. */
export async function runSnapshotCreate(options: SnapshotCreateOptions, io: CliIo): Promise<number> {
  const { createBackup } = await import('../../node/index.js');
  await applyLoggedWrites(options.dataDir);
  const meta = await createBackup(options.dataDir, options.output);
  io.stdout.write(`Snapshot of ${options.dataDir} (applied index ${meta.index}) written to ${options.output}\n`);
  return 0;
}

/**
 * A single-node dir whose process crashed may hold acknowledged writes in its log that its
 * state has not applied yet: opening it as a node applies them (and nothing else) first.
 */
async function applyLoggedWrites(dataDir: string): Promise<void> {
  const { classifyDir } = await import('../../node/index.js');
  if (classifyDir(dataDir).kind !== 'single-node' || !existsSync(nodePaths(dataDir, 'single-node').wal)) return;
  const { LocalNode } = await import('../../node/index.js');
  const logger = new Logger({ sinks: [new TextSink(process.stderr)], level: 'warn', component: 'snapshot' });
  const local = await LocalNode.open(dataDir, { clock: systemClock, logger, sweepAtOpen: false });
  await local.close();
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
