import type { Entry, NodeId, SnapshotMeta } from './types.js';

/**
 * Messages between Raft cores. Requests travel as RPCs (RequestVote, PreVote, AppendEntries,
 * InstallSnapshot, TimeoutNow, ReadIndex); each request is answered by exactly one response
 * message of the matching kind, which the transport returns as the RPC's reply.
 */
export type RaftMessage =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | SnapshotRequest
  | TimeoutNowRequest
  | ReadIndexRequest
  | ReadIndexResponse;

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's current term (for a pre-vote request: the term it would campaign in). */
  readonly term: number;
}

/** RequestVote / PreVote (Raft §5.2, thesis §9.6). */
export interface VoteRequest extends Envelope {
  readonly type: 'vote';
  readonly preVote: boolean;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set when campaigning after TimeoutNow: voters ignore leader stickiness. */
  readonly leadershipTransfer: boolean;
  /** The candidate's log may lack entries it once acknowledged (HardState.recovering). */
  readonly recovering: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: 'voteResponse';
  readonly preVote: boolean;
  readonly granted: boolean;
  /** The voter lost entries it may once have acknowledged (HardState.recovering). */
  readonly recovering: boolean;
}

/** AppendEntries; `entries` empty = heartbeat. `readContext` echoes ReadIndex rounds. */
export interface AppendRequest extends Envelope {
  readonly type: 'append';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  /** Highest ReadIndex round this heartbeat confirms leadership for (0 = none). */
  readonly readContext: number;
  /**
   * A commit notice: an empty append whose only news is `commit`. A follower that accepts one
   * does not answer it (the answer would tell the leader nothing; periodic heartbeats carry
   * liveness and loss recovery), so a write costs each follower one answer, not two.
   */
  readonly commitOnly: boolean;
}

export interface AppendResponse extends Envelope {
  readonly type: 'appendResponse';
  readonly success: boolean;
  /** On success: the highest index known to match the leader's log. */
  readonly matchIndex: number;
  /** On reject: the follower's hint for where to retry (fast back-off, thesis §5.3). */
  readonly rejectHintIndex: number;
  readonly rejectHintTerm: number;
  readonly readContext: number;
  /**
   * The follower lost entries it may have acknowledged (HardState.recovering): the leader's
   * `match` for it may be stale and must drop to what this answer proves.
   */
  readonly recovering: boolean;
}

/** InstallSnapshot, carried in chunks by the transport and reassembled before `step`. */
export interface SnapshotRequest extends Envelope {
  readonly type: 'snapshot';
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/** Leadership transfer: the target campaigns at once (thesis §3.10). */
export interface TimeoutNowRequest extends Envelope {
  readonly type: 'timeoutNow';
}

/** A follower asks the leader for a read index on behalf of a local read (thesis §6.4). */
export interface ReadIndexRequest extends Envelope {
  readonly type: 'readIndex';
  readonly requestId: number;
}

export interface ReadIndexResponse extends Envelope {
  readonly type: 'readIndexResponse';
  readonly requestId: number;
  /** 0 when the receiver could not serve it (not leader). */
  readonly readIndex: number;
}
