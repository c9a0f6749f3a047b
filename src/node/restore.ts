import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ChronosError, Random, errorMessage } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import { RaftCore } from '../raft/index.js';
import type { RaftConfig, NodeId } from '../raft/index.js';
import type { StorageEngine } from '../storage/index.js';
import { Wal } from '../wal/index.js';
import type { DiskStats, WalState } from '../wal/index.js';
import { refuseCleanWithQueuedOps } from './clean-guard.js';
import { checkNodeDir, claimNodeDir } from './node-dir.js';
import type { NodeEnvironment } from './node-environment.js';
import { installedSnapshotAt } from './installed-snapshot.js';

/**
 * How a dir holds a node: `node` is a cluster member's `DIR/ID` (`wal/` and `state/`);
 * `single-node` is a single-node dir, the LevelDB dir itself with its log in `raft-wal/`
 * (so dirs and backups from before it had a log keep their shape).
 */
export type NodeLayout = 'node' | 'single-node';

/** Where a node's log and state live in its dir. */
export function nodePaths(nodeDir: string, layout: NodeLayout = 'node'): { wal: string; state: string } {
  return layout === 'node' ? { wal: join(nodeDir, 'wal'), state: join(nodeDir, 'state') }
    : { wal: join(nodeDir, 'raft-wal'), state: nodeDir };
}

/**
 * `--clean`: the guide puts it in its edge and cloud start commands, where a restart would
 * silently drop every row; say so in the log, with what went, so it is never a surprise.
 */
async function wipeNodeDir(nodeDir: string, logger: Logger): Promise<void> {
  const entries = await readdir(nodeDir).catch(() => [] as string[]);
  if (entries.length > 0) {
    logger.child('node').warn('--clean: deleting the node dir and all its data before start', { dir: nodeDir, entries: entries.sort().join(', ') });
  }
  await rm(nodeDir, { recursive: true, force: true });
}

/** What restoring a node needs from its options. */
export interface RestoreOptions {
  readonly id: NodeId;
  readonly nodeDir: string;
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'voters'>>;
  readonly logger: Logger;
  readonly seed?: number;
  /** `node` unless said otherwise; a single-node dir is checked by its opener. */
  readonly layout?: NodeLayout;
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
 * Opens the WAL and the store of a node dir, checks that they agree (storage may lag the log,
 * never lead it, and never fall behind the log's snapshot), and rebuilds the Raft core at the
 * applied index. `clean` wipes the dir first. A dir that is not this node's is refused before
 * anything is written; one made before dir markers gets its marker here.
 */
export async function restoreNode(options: RestoreOptions, clean: boolean, environment: NodeEnvironment): Promise<RestoredNode> {
  const layout = options.layout ?? 'node';
  const paths = nodePaths(options.nodeDir, layout);
  if (layout === 'node') checkNodeDir(options.nodeDir, options.id, clean);
  if (clean) {
    if (layout === 'node') await refuseCleanWithQueuedOps(options.nodeDir, paths.state, environment.openStorage);
    await wipeNodeDir(options.nodeDir, options.logger);
  }
  await environment.disk.mkdir(paths.wal).catch((error: unknown) => {
    throw new ChronosError('IO_ERROR', `cannot create node dir '${options.nodeDir}': ${errorMessage(error)}`,
      { cause: error });
  });
  if (layout === 'node') claimNodeDir(options.nodeDir, options.id);
  const log = options.logger.child('wal');
  const disk = environment.disk;
  const walOptions = { logger: { warn: (message: string) => log.warn(message) } };
  // Storage first: its lock keeps a second process off the dir before the WAL is recovered
  // (recovery may cut a torn tail, which must never be another live process's last write).
  const storage = await environment.openStorage(paths.state);
  let opened: Awaited<ReturnType<typeof Wal.open>>;
  try {
    opened = await Wal.open(disk, paths.wal, walOptions);
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
  let { wal, state } = opened;
  try {
    const recorded = await recordSnapshotStorageHolds(options, layout, wal, state, storage, log);
    if (recorded) {
      await wal.close();
      ({ wal, state } = await Wal.open(disk, paths.wal, walOptions));
    }
    checkAgreement(paths, state, storage);
    const voters = [options.id, ...options.peers.keys()];
    const core = rebuildCore(options, voters, state, storage);
    const snapshotIndex = state.snapshot?.index ?? 0;
    const lastIndex = state.entries.at(-1)?.index ?? snapshotIndex;
    return { wal, walStats: disk.stats, storage, core, snapshotIndex, lastIndex, voters, term: state.hardState.term };
  } catch (error) {
    await storage.close().catch(() => undefined);
    await wal.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Makes the WAL record a snapshot storage holds but the log does not know; true if it wrote
 * one. Two cases: a crash between storage importing a leader's snapshot and the WAL recording
 * it (the import keeps the snapshot's meta), and a single-node dir whose state was written
 * before it had a log (or restored from a backup): its one voter adopts the state as it is.
 */
async function recordSnapshotStorageHolds(
  options: RestoreOptions, layout: NodeLayout, wal: Wal, state: WalState, storage: StorageEngine, log: Logger,
): Promise<boolean> {
  const { hardState } = state;
  const walSnapshotIndex = state.snapshot?.index ?? 0;
  const installed = await installedSnapshotAt(storage);
  const lastIndex = state.entries.at(-1)?.index ?? walSnapshotIndex;
  const adopted = installed === null && layout === 'single-node' && storage.appliedIndex > lastIndex
    ? { index: storage.appliedIndex, term: Math.max(1, hardState.term), membership: { voters: [options.id] } } : null;
  const snapshot = installed !== null && installed.index > walSnapshotIndex ? installed : adopted;
  if (snapshot === null) return false;
  // An interrupted install is worth a warning; a single-node dir without a log is routine
  // (written before it had one, or restored from a backup).
  if (installed === snapshot) log.warn('completing a snapshot install a crash interrupted', { index: snapshot.index, term: snapshot.term });
  else log.info('the log adopts the single-node state', { index: snapshot.index });
  // The term travelled in the same lost save: a newer term starts with no vote.
  const newerTerm = snapshot.term > hardState.term;
  await wal.save({
    hardState: { ...hardState, term: Math.max(hardState.term, snapshot.term), vote: newerTerm ? null : hardState.vote,
      commit: Math.max(hardState.commit, snapshot.index) },
    snapshot,
  });
  return true;
}

/** Storage may lag the log, never lead it, and never fall behind the log's snapshot. */
function checkAgreement(paths: { wal: string; state: string }, state: WalState, storage: StorageEngine): void {
  const snapshotIndex = state.snapshot?.index ?? 0;
  const lastIndex = state.entries.at(-1)?.index ?? snapshotIndex;
  if (storage.appliedIndex > lastIndex) {
    throw new ChronosError('CORRUPTION',
      `${paths.state} has applied index ${storage.appliedIndex} but the log in ${paths.wal} ends at ${lastIndex}`);
  }
  if (storage.appliedIndex < snapshotIndex) {
    throw new ChronosError('CORRUPTION',
      `${paths.state} has applied index ${storage.appliedIndex}, behind the log's snapshot at ${snapshotIndex}`);
  }
}

function rebuildCore(options: RestoreOptions, voters: readonly NodeId[], state: WalState, storage: StorageEngine): RaftCore {
  return new RaftCore(
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
}
