import type { AppendRequest, RaftMessage } from './messages.js';
import type { Entry, HardState, Membership, NodeId, SnapshotMeta } from './types.js';

/** A confirmed linearizable read point: serve the read once applied >= index. */
export interface ReadState {
  readonly requestId: number;
  readonly index: number;
}

/** A state-machine image plus the metadata that replaces the log up to its index. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/**
 * Work the driver must do, in order: persist hardState/snapshot/entries (fsync if mustSync;
 * see `mustPersist`), then send messages, then install the snapshot and apply
 * committedEntries, then advance().
 */
export interface Ready {
  /** Present when term, vote, commit or recovering changed since the last persisted state. */
  readonly hardState: HardState | null;
  /** Entries to append durably; the driver first truncates its log from entries[0].index. */
  readonly entries: readonly Entry[];
  /** Install before applying anything else; replaces the log up to its index. */
  readonly snapshot: Snapshot | null;
  /**
   * Send only after this Ready's hardState, snapshot and entries are durable, except those
   * `mayPrecedePersist` allows: a leader's appends may go out while its own fsync runs.
   */
  readonly messages: readonly RaftMessage[];
  /** Apply in order (may include entries from `entries`: persist first). */
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /**
   * False when only the commit index changed: no fsync is needed then, and a driver may skip
   * the write (a restarted node learns commit again from its leader). Two changes must reach
   * the disk, or a restarted node could leave a cluster without a leader: clearing
   * `recovering` (the node would refuse the intact nodes its vote) and a commit past a config
   * entry (the node would restart with the members before it, counting votes among them).
   */
  readonly mustSync: boolean;
}

/** The role a core plays in its current term. */
export type RaftRole = 'Leader' | 'Follower' | 'Candidate' | 'PreCandidate';

/** A point-in-time summary of a core, for health checks and tests. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly role: RaftRole;
  readonly term: number;
  readonly leader: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** The committed membership, with the members' addresses when the log has them. */
  readonly membership: Membership;
  /** The log may lack entries this node once acknowledged; it is catching up (no vote). */
  readonly recovering: boolean;
}

/** What a driver restores a core from after a restart. */
export interface RestoredState {
  readonly hardState: HardState;
  readonly snapshot: SnapshotMeta | null;
  /** Log entries after the snapshot, contiguous. */
  readonly entries: readonly Entry[];
  /** The snapshot image, so a restarted leader can still send it to lagging followers. */
  readonly snapshotData?: Uint8Array;
  /** Index the state machine already applied (defaults to the snapshot index). */
  readonly appliedIndex?: number;
}

/** Whether a driver writes this Ready to its log before going on (and fsyncs it). */
export function mustPersist(ready: Ready): boolean {
  return ready.mustSync || ready.entries.length > 0 || ready.snapshot !== null;
}

/**
 * True for messages a driver may send before the Ready's state is durable: a leader's appends
 * and heartbeats (Raft thesis §10.2.1) of a term already on disk (`durableTerm`, the core's
 * persisted term between ready() and advance()). The leader counts its own entries toward a
 * commit only once persisted. A lone voter wins its election within one step, before its new
 * term is durable: its first appends wait, or a crash could make it reuse that term for other
 * entries that a learner holding the first ones would never replace. Votes, vote requests and
 * append responses promise durable state, so they wait for the fsync.
 */
export function mayPrecedePersist(message: RaftMessage, durableTerm: number): message is AppendRequest {
  return message.type === 'append' && message.term === durableTerm;
}

/**
 * How many of the Ready's committed entries a driver may apply before persisting it: those
 * at or below `durableIndex` (none when the Ready installs a snapshot, which comes first).
 */
export function committedBeforePersist(ready: Ready, durableIndex: number): number {
  if (ready.snapshot !== null) return 0;
  const entries = ready.committedEntries;
  let count = 0;
  while (count < entries.length && (entries[count]?.index ?? Infinity) <= durableIndex) count += 1;
  return count;
}
