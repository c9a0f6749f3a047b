import type { SnapshotCreateOptions, SnapshotRestoreOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';
import { existsSync } from 'node:fs';
import { ChronosError, Logger, TextSink, systemClock } from '../../lib/index.js';
import type { AdminEnv } from '../admin-http-client.js';
import { adminDownload } from '../admin-download.js';
import { assertOutputFolder } from '../output-folder.js';
import { parseHostPort } from '../validate.js';
import { nodePaths } from '../../node/index.js';
import { TLS_CLIENT_SETTINGS } from '../../transport/index.js';

/**
 * `chronos snapshot create`: writes a checksummed backup of a node's dir. A stopped node's
 * files are read directly; a running node (its dir locked, its serving record present) is
 * asked for `GET /snapshot` on its admin server, so the guide's hourly cron job works on a
 * node that keeps serving.
 */
export async function runSnapshotCreate(options: SnapshotCreateOptions, io: CliIo, env: AdminEnv): Promise<number> {
  assertOutputFolder(options.output, '-o');
  const { createBackup, dataDirInUse } = await import('../../node/index.js');
  if (await dataDirInUse(options.dataDir)) return await snapshotRunningNode(options, io, env);
  await applyLoggedWrites(options.dataDir);
  const meta = await createBackup(options.dataDir, options.output);
  io.stdout.write(`Snapshot of ${options.dataDir} (applied index ${meta.index}) written to ${options.output}\n`);
  return 0;
}

async function snapshotRunningNode(options: SnapshotCreateOptions, io: CliIo, env: AdminEnv): Promise<number> {
  const { readBackupMeta, readServingRecord } = await import('../../node/index.js');
  const serving = readServingRecord(options.dataDir);
  if (serving === null) {
    throw new ChronosError('IO_ERROR', `data dir '${options.dataDir}' is in use by another process that ` +
      'serves no admin HTTP (a REPL session?); stop it, or back up a running node with GET /snapshot on its admin port');
  }
  const address = parseHostPort('serving.json admin', serving.admin);
  if (serving.https && (env['CHRONOS_TLS_CA_CERT'] ?? '') === '') {
    throw new ChronosError('CONFIG_ERROR', `the node running in '${options.dataDir}' serves https on ` +
      `${serving.admin}: ${TLS_CLIENT_SETTINGS} to back it up`);
  }
  await adminDownload(address, '/snapshot', env, options.output);
  const meta = await readBackupMeta(options.output);
  io.stdout.write(`Snapshot of running node ${options.dataDir} (pid ${serving.pid}, via ${serving.admin}/snapshot, ` +
    `applied index ${meta.index}) written to ${options.output}\n`);
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
