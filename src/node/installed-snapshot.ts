import type { SnapshotMeta } from '../raft/index.js';
import type { StorageEngine } from '../storage/index.js';

/**
 * The meta of the last snapshot a leader sent, stored with the image in one atomic import. The
 * WAL records the snapshot only after storage took it; a node that crashed in between finds
 * its storage ahead of its log, and completes the install from this instead of refusing to open.
 */
export const INSTALLED_SNAPSHOT_VALUE = 'raft-installed-snapshot';

/** The named value to store with an installed image. */
export function installedSnapshotValue(meta: SnapshotMeta): ReadonlyMap<string, Uint8Array> {
  return new Map([[INSTALLED_SNAPSHOT_VALUE, new TextEncoder().encode(JSON.stringify(meta))]]);
}

/** The installed snapshot's meta if storage holds one for exactly its applied index, else null. */
export async function installedSnapshotAt(storage: StorageEngine): Promise<SnapshotMeta | null> {
  const reader = await storage.reader();
  let bytes: Uint8Array | undefined;
  try {
    bytes = await reader.getNamedValue(INSTALLED_SNAPSHOT_VALUE);
  } finally {
    await reader.close();
  }
  if (bytes === undefined) return null;
  const meta = parseMeta(new TextDecoder().decode(bytes));
  return meta !== null && meta.index === storage.appliedIndex ? meta : null;
}

function parseMeta(text: string): SnapshotMeta | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { index, term, membership } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(term) || typeof membership !== 'object' || membership === null) return null;
  const voters = (membership as Record<string, unknown>)['voters'];
  if (!Array.isArray(voters) || !voters.every((id) => typeof id === 'string')) return null;
  return { index: index as number, term: term as number, membership: membership as SnapshotMeta['membership'] };
}
