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
}

/** The cluster members as of some log index. */
export interface Membership {
  readonly voters: readonly NodeId[];
}

/** Describes the state-machine image that replaces the log up to `index`. */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly membership: Membership;
}
