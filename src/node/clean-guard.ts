import { ChronosError } from '../lib/index.js';
import type { StorageEngine } from '../storage/index.js';
import { outboxStats } from '../sync/index.js';
import { isDirectory } from './data-dir.js';

/**
 * `--clean` on a node whose outbox still holds ops its sync target has not acknowledged would
 * lose them, and SPEC §6 says nothing queued is lost: refuse, saying how many and what to do.
 * A dir that never synced has no outbox (0 pending), so `--clean` goes on as before there.
 * Ops in log entries not yet applied are not counted: a node applies what it committed before
 * it stops cleanly, so only a crash in that instant leaves some.
 */
export async function refuseCleanWithQueuedOps(
  nodeDir: string, statePath: string, openStorage: (path: string) => Promise<StorageEngine>,
): Promise<void> {
  if (!isDirectory(statePath)) return;
  const storage = await openStorage(statePath);
  const pendingOps = await closingAfter(storage, async () => {
    const reader = await storage.reader();
    return closingAfter(reader, async () => (await outboxStats(reader)).pendingOps);
  });
  if (pendingOps === 0) return;
  throw new ChronosError('CONFIG_ERROR',
    `--clean refused: ${nodeDir} holds ${pendingOps} operations queued for the sync target and not yet ` +
    'synced, and they would be lost; restart without --clean to let them sync (GetSyncStatus pendingOps ' +
    `reaches 0), or, to discard them, remove ${nodeDir} yourself`,
    { details: { pendingOps, nodeDir } });
}

/** Runs `work`, then closes `resource`; when `work` failed, its error is the one thrown. */
async function closingAfter<T>(resource: { close(): Promise<void> }, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // The close is only cleanup here: what the user must see is why the work failed.
    await resource.close().catch(() => undefined);
    throw error;
  }
  await resource.close();
  return result;
}
