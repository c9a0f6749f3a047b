import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChronosError, Random, errorMessage } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import { RaftCore } from '../raft/index.js';
import type { RaftConfig, NodeId } from '../raft/index.js';
import { openStorage } from '../storage/index.js';
import type { StorageEngine } from '../storage/index.js';
import { CountingDisk, NodeDisk, Wal } from '../wal/index.js';
import type { DiskStats } from '../wal/index.js';
import { checkNodeDir, claimNodeDir } from './node-dir.js';

/** Layout of a node directory. */
export function nodePaths(nodeDir: string): { wal: string; state: string } {
  return { wal: join(nodeDir, 'wal'), state: join(nodeDir, 'state') };
}

/** What restoring a node needs from its options. */
export interface RestoreOptions {
  readonly id: NodeId;
  readonly nodeDir: string;
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'voters'>>;
  readonly logger: Logger;
  readonly seed?: number;
}

/** A node's durable state, opened and checked, with a core rebuilt from it. */
export interface RestoredNode {
  readonly wal: Wal;
  readonly walStats: Readonly<DiskStats>;
  readonly storage: StorageEngine;
  readonly core: RaftCore;
  readonly snapshotIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly NodeId[];
  readonly term: number;
}

/**
 * Opens the WAL and the store of `DIR/ID`, checks that they agree (storage may lag the log,
 * never lead it, and never fall behind the log's snapshot), and rebuilds the Raft core at the
 * applied index. `clean` wipes the dir first. A dir that is not this node's is refused before
 * anything is written; one made before dir markers gets its marker here.
 */
export async function restoreNode(options: RestoreOptions, clean: boolean): Promise<RestoredNode> {
  const paths = nodePaths(options.nodeDir);
  checkNodeDir(options.nodeDir, options.id, clean);
  if (clean) await rm(options.nodeDir, { recursive: true, force: true });
  await mkdir(paths.wal, { recursive: true }).catch((error: unknown) => {
    throw new ChronosError('IO_ERROR', `cannot create node dir '${options.nodeDir}': ${errorMessage(error)}`,
      { cause: error });
  });
  claimNodeDir(options.nodeDir, options.id);
  const log = options.logger.child('wal');
  const disk = new CountingDisk(new NodeDisk());
  const { wal, state } = await Wal.open(disk, paths.wal, {
    logger: { warn: (message: string) => log.warn(message) },
  });
  let storage: StorageEngine | null = null;
  try {
    storage = await openStorage({ dir: paths.state });
    const snapshotIndex = state.snapshot?.index ?? 0;
    const lastIndex = state.entries.at(-1)?.index ?? snapshotIndex;
    if (storage.appliedIndex > lastIndex) {
      throw new ChronosError(
        'CORRUPTION',
        `${paths.state} has applied index ${storage.appliedIndex} but the log in ${paths.wal} ends at ${lastIndex}`,
      );
    }
    if (storage.appliedIndex < snapshotIndex) {
      throw new ChronosError(
        'CORRUPTION',
        `${paths.state} has applied index ${storage.appliedIndex}, behind the log's snapshot at ${snapshotIndex}`,
      );
    }
    const voters = [options.id, ...options.peers.keys()];
    const core = new RaftCore(
      { ...options.raft, id: options.id, voters },
      {
        // Commit-only changes are not fsynced (they are recoverable), so the WAL's commit may lag
        // what storage applied; whatever was applied was committed.
        hardState: { ...state.hardState, commit: Math.max(state.hardState.commit, storage.appliedIndex) },
        // A snapshot restored from a backup of a dir that never compacted does not know the
        // members; the command line does.
        snapshot:
          state.snapshot !== null && state.snapshot.membership.voters.length === 0
            ? { ...state.snapshot, membership: { voters } }
            : state.snapshot,
        entries: state.entries,
        appliedIndex: storage.appliedIndex,
      },
      new Random(options.seed ?? (Date.now() ^ (process.pid << 8))),
    );
    return { wal, walStats: disk.stats, storage, core, snapshotIndex, lastIndex, voters, term: state.hardState.term };
  } catch (error) {
    await storage?.close().catch(() => undefined);
    await wal.close().catch(() => undefined);
    throw error;
  }
}
