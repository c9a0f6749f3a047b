/** Raft node ids are the operator's names (`node1`, `edge1`). */
export type NodeId = string;

/** What a log entry carries. */
export type EntryType = 'command' | 'noop' | 'config';

/** One Raft log entry. `data` is opaque to the core (an encoded state-machine command). */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** State that must be on disk before a node votes or acknowledges (Raft §5.1, Figure 2). */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
  /**
   * Set while this node's log may lack entries it once acknowledged: its disk was wiped or
   * restored from an older backup. Until a leader has caught it up, it votes only for (and
   * can only be elected by) nodes in the same state, so it never helps elect a leader that
   * is missing a committed entry. Absent means false.
   */
  readonly recovering?: true;
}

/** The cluster members as of some log index. */
export interface Membership {
  readonly voters: readonly NodeId[];
  /** Members that receive the log but neither vote nor count for commit (a node being added
   * catches up as one before it is promoted). Absent means none. */
  readonly learners?: readonly NodeId[];
  /** Each member's gRPC host:port, replicated so a restarted node dials the current members
   * whatever `--peers` said when it first started. Opaque to the core. */
  readonly addresses?: Readonly<Record<NodeId, string>>;
}

/** An operator's membership request: add a node at its gRPC address, or remove one. */
export type MemberChange =
  | { readonly action: 'add'; readonly id: NodeId; readonly address: string }
  | { readonly action: 'remove'; readonly id: NodeId };

/** The committed members as the admin API reports them, with every address known. */
export interface MembersView {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly addresses: Readonly<Record<NodeId, string>>;
}

/** Describes the state-machine image that replaces the log up to `index`. */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly membership: Membership;
}
